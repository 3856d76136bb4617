"""Small builders for test data: valid identifiers and the make_* helpers."""

import datetime
import itertools
import time
from binascii import unhexlify
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import ric, uscc

from accounts.middleware import LOGIN_AT, SEEN_AT
from archives.models import (
    Branch,
    Customer,
    CustomerType,
    FamilyMember,
    Role,
    Township,
    User,
    Village,
    VillageGroup,
)

_seq = itertools.count(1)
PASSWORD = "test-pass-123"
# The TOTP secret of every test persona that needs a second factor (RFC 6238's test key).
OTP_KEY = "3132333435363738393031323334353637383930"


def resident_id(birth: str = "19880101", region: str = "421122", order: int | None = None) -> str:
    """A resident ID number with a correct check digit (order code unique per call)."""
    order = next(_seq) % 1000 if order is None else order
    body = f"{region}{birth}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def wrong_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def credit_code(prefix: str = "93421122") -> str:
    """A unified social credit code with a correct check digit."""
    body = f"{prefix}{next(_seq):09d}"[:17]
    body = body[:8] + "MA" + body[10:]  # organisation code part may hold letters; keep it realistic
    return body + uscc.calc_check_digit(body)


def make_branch(name="城关支行", code=None):
    code = code or f"B{next(_seq):03d}"
    return Branch.objects.create(code=code, name=name)


def make_village(
    *, branch=None, name=None, owners=(), registered_households=100, groups=("一组", "二组")
):
    branch = branch or make_branch(name=f"支行{next(_seq)}")
    township, _ = Township.objects.get_or_create(branch=branch, name=f"{branch.name}镇")
    n = next(_seq)
    village = Village.objects.create(
        township=township,
        code=f"V{n:05d}",
        name=name or f"测试{n}村",
        registered_households=registered_households,
        latitude=Decimal("31.280000"),
        longitude=Decimal("114.620000"),
        informant_name="信息员甲",
        informant_phone="13900001111",
    )
    village.owners.set(owners)
    for group in groups:
        VillageGroup.objects.create(village=village, name=group, registered_households=50)
    return village


def make_user(role, *, username=None, branches=(), name=None, corporate_manager=False):
    username = username or f"{role}_{next(_seq)}"
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        display_name=name or username,
        is_staff=role == Role.HEAD_OFFICE,
        corporate_manager=corporate_manager,
    )
    user.branches.set(branches)
    return user


def make_customer(village, *, customer_type=CustomerType.HOUSEHOLD, name="张三", **fields):
    defaults = {
        "archived_on": datetime.date(2026, 3, 1),
        "phone": "13812345678",
    }
    if customer_type in (CustomerType.COOPERATIVE, CustomerType.LEADING_ENTERPRISE):
        defaults["credit_code"] = credit_code()
    else:
        defaults["id_number"] = resident_id()
    defaults.update(fields)
    if defaults.get("id_number"):
        defaults.setdefault("birth_date", ric.get_birth_date(defaults["id_number"]))
    return Customer.objects.create(
        village=village, customer_type=customer_type, name=name, **defaults
    )


def make_member(customer, *, name="李四", relation="spouse", **fields):
    return FamilyMember.objects.create(customer=customer, name=name, relation=relation, **fields)


def login_request(address="127.0.0.1") -> HttpRequest:
    """What `Client.login(request=...)` passes on: django-axes checks every login's address."""
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = address
    return request


def totp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator, with the known test key."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test phone", defaults={"key": OTP_KEY, "confirmed": True}
    )
    return device


def totp_code(key=OTP_KEY, at=None) -> str:
    """The code an authenticator app with this key shows now (or at a POSIX time)."""
    totp = TOTP(unhexlify(key))
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def stamp_login(client) -> None:
    """What the login page's response writes into a new session (accounts.middleware).

    Client.login skips the middleware; without the stamps a test's first page would write
    the session and count three more queries than the pages after it.
    """
    session = client.session
    session[LOGIN_AT] = session[SEEN_AT] = timezone.now().timestamp()
    session.save()


def verify_second_factor(client, user) -> None:
    """Mark a test client's session as past the TOTP step, as accounts' verify page does."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()


def make_corporate(branch, *, name=None, team=(), **fields):
    """A corporate customer of `branch`; team: (user, "A" | "B1" | "B2") pairs."""
    from credit.models import CorporateCustomer, TeamMember

    n = next(_seq)
    customer = CorporateCustomer.objects.create(
        branch=branch,
        name=name or f"测试企业{n}有限公司",
        credit_code=fields.pop("credit_code", None) or credit_code("91421122"),
        **fields,
    )
    for user, role in team:
        TeamMember.objects.create(customer=customer, user=user, role=role)
    return customer
