"""manage.py seed_demo: fill an empty database with a deterministic demo county, print its logins."""

import datetime
import random
import time
import unicodedata
from base64 import b32encode
from binascii import unhexlify
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from archives.models import (
    Branch,
    Customer,
    FamilyMember,
    Role,
    Township,
    User,
    Village,
    VillageGroup,
)
from demo import corporate, corporate_activity, corporate_projects, county, fieldwork, movements
from demo import weeks as demo_weeks
from demo.customers import customers_for_village

BATCH = 2000
ROLE_LABELS = {
    Role.HEAD_OFFICE: "总行",
    Role.LEADER: "挂点领导",
    Role.SECTION_CHIEF: "挂点科长",
    Role.BRANCH_HEAD: "支行行长",
    Role.ACCOUNT_MANAGER: "客户经理",
    Role.DEPUTY_HEAD: "分管副行长",
    Role.CORPORATE_FINANCE: "公司金融部",
    Role.CREDIT_MANAGEMENT: "信贷管理部",
}
DEMO_USERNAMES = (
    r"^(head_office|leader_[0-9]+|chief_[0-9]+|branch_head_[a-z]+|am_[a-z]+_[0-9]+"
    r"|deputy_[a-z]+|corp_[a-z]+_[0-9]+|corp_finance|credit_mgmt)$"
)
MARKER = "head_office"  # exists once the demo has been seeded
DEMO_PASSWORD = "demo12345"  # DEBUG only: shorter than the validators allow, typed by hand
# The demo head office's TOTP key (DEBUG only), printed by seed_demo; demo_totp_code shows
# its current code. As hex (django-otp's format) and as the base32 an authenticator takes.
DEMO_TOTP_KEY = "686f6e67616e2d7669736974732d64656d6f2121"
DEMO_TOTP_SECRET = b32encode(unhexlify(DEMO_TOTP_KEY)).decode()
DEMO_TOTP_NAME = "demo authenticator"


class Command(BaseCommand):
    help = "Seed a demo county (branches, villages, staff, six-type archives); print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="small", help="small (300), county (170,000) or N")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--weeks",
            type=int,
            default=1,
            help="confirmed weeks of classification history, with their revisits (default 1)",
        )
        parser.add_argument(
            "--password",
            default=None,
            help=f"password of every demo login (default with DEBUG on: {DEMO_PASSWORD})",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="seed even with DEBUG off (a training copy): no superuser, no known password",
        )

    def handle(self, *args, scale, seed, weeks, password, allow_production, **options):
        try:
            size = county.parse_scale(scale)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if not 1 <= weeks <= 260:
            raise CommandError("--weeks 应为 1 到 260 之间的整数(已确认的周数)。")
        demo = settings.DEBUG  # the development demo of `make run`
        if not demo:
            password = self.production_password(password, allow_production)
        password = password or DEMO_PASSWORD
        head_office = User.objects.filter(username=MARKER).first()
        if head_office:
            self.stdout.write(self.style.WARNING("演示数据已存在,未重复生成。已有的演示账号:"))
            same = head_office.check_password(password)
            if demo:
                demo_totp_device(head_office)
            self.print_logins(password if same else "(首次生成时所设密码)", demo=demo)
            return
        if Branch.objects.exists() or Village.objects.exists() or Customer.objects.exists():
            raise CommandError("数据库中已有支行、村或客户档案;seed_demo 只用于空数据库。")

        started = time.perf_counter()
        rng = random.Random(seed)
        plan = county.plan_county(size, rng)
        with transaction.atomic():
            counts = write_plan(plan, rng, password, demo=demo)
            if demo:
                demo_totp_device(User.objects.get(username=MARKER))
            counts |= demo_weeks.seed(
                rng=random.Random(seed + 1), weeks=weeks, reference=county.REFERENCE_DATE, at=at
            )
            counts |= fieldwork.seed(rng=rng, reference=county.REFERENCE_DATE, at=at)
            counts |= corporate.seed(
                rng=random.Random(seed + 2),
                village_customers=size.customers,
                reference=county.REFERENCE_DATE,
                at=at,
            )
            counts |= corporate_projects.seed(
                rng=random.Random(seed + 3), reference=county.REFERENCE_DATE, at=at
            )
            counts |= movements.seed(rng=random.Random(seed + 4), today=timezone.localdate(), at=at)
            counts |= corporate_activity.seed(
                rng=random.Random(seed + 5), reference=county.REFERENCE_DATE, at=at
            )
        elapsed = time.perf_counter() - started
        rate = counts["customers"] / max(elapsed, 0.001)
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示数据(规模 {scale},随机种子 {seed}):"
                f"{len(plan.branches)} 个支行、{len(plan.townships)} 个乡镇、"
                f"{len(plan.villages)} 个行政村、{counts['groups']} 个村民小组、"
                f"{len(plan.staff)} 名员工、{counts['customers']} 户客户、"
                f"{counts['members']} 名家庭成员、{counts['changes']} 条变更记录、"
                f"{counts['field_days']} 个下乡日({counts['photos']} 张照片)、"
                f"{counts['ledger']} 条营销台账、"
                f"{counts['weeks']} 个分层周({counts['visits']} 次回访)、"
                f"{counts['closed_months']} 个已结账月份、"
                f"{counts['corporate']} 家对公客户({counts['corporate_activities']} 次联系拜访、"
                f"{counts['diary_entries']} 篇工作日志)、"
                f"{counts['project_entries']} 条项目库储备、{counts['movements']} 笔资金流水;"
                f"用时 {elapsed:.1f} 秒({rate:.0f} 户/秒)。"
            )
        )
        self.print_logins(password, demo=demo)

    def production_password(self, password, allow_production):
        """With DEBUG off: only when asked, and only with a password of the bank's standard."""
        if not allow_production:
            raise CommandError(
                "DEBUG 未开启:seed_demo 只用于开发演示,不在生产环境生成演示数据。"
                "确需在此环境生成(如培训用副本),请加 --allow-production 并用 --password "
                "指定一个合格的密码。 / DEBUG is off: seed_demo fills a development demo. To "
                "seed this database anyway (a training copy), pass --allow-production and "
                "--password."
            )
        if not password:
            raise CommandError(
                "DEBUG 未开启时必须用 --password 指定演示账号的密码(不使用默认的演示密码)。"
                " / With DEBUG off, give the demo accounts' password with --password."
            )
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("密码不合格:" + " ".join(error.messages)) from None
        return password

    def print_logins(self, password, *, demo):
        users = User.objects.filter(username__regex=DEMO_USERNAMES)
        users = list(users.prefetch_related("branches", "villages__township"))
        order = list(ROLE_LABELS)
        users.sort(key=lambda u: (order.index(u.role), u.staff_no or "", u.username))
        rows = [("角色", "用户名", "密码", "姓名", "负责范围")]
        rows += [
            (ROLE_LABELS[u.role], u.username, password, u.display_name, scope(u)) for u in users
        ]
        widths = [max(text_width(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        for row in rows:
            cells = [c + " " * (w - text_width(c)) for c, w in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))
        self.stdout.write(
            f"\n共 {len(users)} 个演示账号,密码相同;总行账号可登录 /admin/ 管理后台。"
        )
        if not demo:
            self.stdout.write(
                "DEBUG 未开启:演示账号都不是超级用户,首次登录须修改密码;"
                "总行账号登录时按页面提示设置验证器应用(动态验证码)。"
            )
        elif settings.OTP_REQUIRED_FOR_HEAD_OFFICE:
            self.stdout.write(
                f"总行账号登录后还须输入 6 位动态验证码:在验证器应用中添加密钥 "
                f"{DEMO_TOTP_SECRET},或运行 `python manage.py demo_totp_code` 显示当前验证码。"
            )


def scope(user) -> str:
    branches = "、".join(b.name for b in user.branches.all())
    if user.role == Role.HEAD_OFFICE:
        return "全行(管理后台 /admin/)"
    if user.role in (Role.CORPORATE_FINANCE, Role.CREDIT_MANAGEMENT):
        return "全行对公客户(名单确认)"
    if user.role == Role.ACCOUNT_MANAGER:
        villages = "、".join(f"{v.township.name}{v.name}" for v in user.villages.all())
        corporate = "(对公客户经理)" if user.corporate_manager else ""
        return f"{branches}:{villages}{corporate}" if villages else f"{branches}{corporate}"
    if user.role in (Role.LEADER, Role.SECTION_CHIEF):
        return f"挂点支行:{branches}"
    return branches


def text_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def demo_totp_device(user) -> TOTPDevice:
    """The demo head office's authenticator, with a key printed for anyone (DEBUG only)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name=DEMO_TOTP_NAME, defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
    )
    return device


def write_plan(plan: county.Plan, rng: random.Random, password: str, *, demo: bool) -> dict:
    """Write the organisation, then stream the customers village by village in bulk batches."""
    new_branches = [Branch(code=code, name=name) for code, name, _slug in plan.branches]
    Branch.objects.bulk_create(new_branches)
    branches = {slug: b for (*_, slug), b in zip(plan.branches, new_branches, strict=True)}
    townships = {
        (slug, name): Township(branch=branches[slug], name=name) for slug, name in plan.townships
    }
    Township.objects.bulk_create(townships.values())

    hashed = make_password(password)  # hashing once: per-user hashing would dominate a small run
    users = {}
    for s in plan.staff:
        head_office = s.role == Role.HEAD_OFFICE
        users[s.username] = User(
            username=s.username,
            role=s.role,
            display_name=s.display_name,
            last_name=s.display_name[0],
            first_name=s.display_name[1:],
            staff_no=s.staff_no,
            phone=s.phone,
            password=hashed,
            is_staff=head_office,
            # Outside the development demo the password is known to whoever seeded: no
            # superuser, and everyone chooses their own password at first login.
            is_superuser=head_office and demo,
            must_change_password=not demo,
        )
    User.objects.bulk_create(users.values())
    UserBranch = User.branches.through
    UserBranch.objects.bulk_create(
        UserBranch(user=users[s.username], branch=branches[slug])
        for s in plan.staff
        for slug in s.branch_slugs
    )

    villages = [
        Village(township=townships[(v.branch_slug, v.township)], **v.fields) for v in plan.villages
    ]
    Village.objects.bulk_create(villages)
    pairs = list(zip(plan.villages, villages, strict=True))
    Owner = Village.owners.through
    Owner.objects.bulk_create(
        Owner(village=village, user=users[name]) for spec, village in pairs for name in spec.owners
    )
    groups = {
        (village.pk, name): VillageGroup(village=village, name=name, registered_households=size)
        for spec, village in pairs
        for name, size in spec.groups
    }
    VillageGroup.objects.bulk_create(groups.values(), batch_size=BATCH)

    counts = {"groups": len(groups), "customers": 0, "members": 0, "changes": 0}
    used, pending = set(), []
    for spec, village in pairs:
        pending += [(village, c) for c in customers_for_village(rng, spec, used)]
        if len(pending) >= BATCH:
            write_customers(pending, users, groups, counts)
            pending = []
    write_customers(pending, users, groups, counts)
    return counts


def write_customers(pending: list, users: dict, groups: dict, counts: dict) -> None:
    """One batch: customers and members with their creation history, then the later changes.

    The history rows carry the filing manager and the archive date, not the time of seeding.
    """
    if not pending:
        return
    customers = []
    for village, spec in pending:
        customer = Customer(
            village=village,
            group=groups[(village.pk, spec["group"])],
            filed_by=users[spec["filed_by"]],
            **spec["fields"],
        )
        customer.set_last4()  # bulk_create runs no save()
        customer._history_user = customer.filed_by
        customer._history_date = at(customer.archived_on, 10)
        customers.append(customer)
    bulk_create_with_history(customers, Customer, batch_size=BATCH)

    members = []
    for customer, (_village, spec) in zip(customers, pending, strict=True):
        for fields in spec["members"]:
            member = FamilyMember(customer=customer, **fields)
            member._history_user = customer.filed_by
            member._history_date = customer._history_date
            members.append(member)
    bulk_create_with_history(members, FamilyMember, batch_size=BATCH)

    changed, changed_fields = [], set()
    for customer, (_village, spec) in zip(customers, pending, strict=True):
        if change := spec.get("change"):
            for name, value in change["fields"].items():
                setattr(customer, name, value)
            changed_fields.update(change["fields"])
            if {"id_number", "phone"} & set(change["fields"]):
                customer.set_last4()
                changed_fields.update(("id_last4", "phone_last4"))
            customer._history_user = users[change["by"]]
            customer._history_date = at(change["on"], 15)
            customer._change_reason = change["reason"]
            changed.append(customer)
    if changed:
        bulk_update_with_history(changed, Customer, sorted(changed_fields), batch_size=BATCH)
    counts["customers"] += len(customers)
    counts["members"] += len(members)
    counts["changes"] += len(changed)
    reset_queries()  # with DEBUG on, the logged multi-megabyte INSERTs would pile up in memory
