"""Demo assessment data for seed_demo: a year of field days with photos, the ledger, closed months.

The year before demo.county.REFERENCE_DATE: every month but the last is reviewed
and closed (statements locked); the last month is still open, with days awaiting
review and a few open findings, so head office has a queue. Rows are bulk-inserted.

Photos are records of what an upload would have stored. Their bytes come from a
pool of a few generated JPEGs written once under MEDIA_ROOT/photos/demo/: the
pages show real pictures, and a county's 40,000 records do not need 40,000 files.
Each record has its own random perceptual hash, so a real upload is never taken for
a reuse of a demo photo.
"""

import datetime
import io
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from PIL import Image, ImageDraw

from archives.models import Role, User, Village
from assessment import evidence
from assessment.models import (
    FieldDay,
    Finding,
    LedgerEntry,
    LedgerKind,
    Month,
    Photo,
    month_bounds,
)
from assessment.statements import close_month

MONTHS = 12
CENSUS_MONTHS = 2  # the campaign opened with the census phase (普查建档): 20 days a month
POOL = 6
PHOTO_SIZE = (480, 360)
BATCH = 2000

DIARIES = (
    "走访{village}{n}户，宣传存款产品，发放便民服务卡。",
    "到{village}入户走访{n}户，核实家庭成员信息，更新档案。",
    "在{village}开展整村授信宣传，走访{n}户，预约贷款客户2户。",
    "走访{village}农村经营大户和个体工商户共{n}户，了解资金需求。",
    "配合村委会在{village}召开村民会议，随后入户走访{n}户。",
    "到{village}回访已建档客户{n}户，推广手机银行和福卡。",
)


def months_before(reference: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first days of the `count` months before `reference`'s month, oldest first."""
    first = reference.replace(day=1)
    months = []
    for _ in range(count):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def workdays(month: datetime.date) -> list[datetime.date]:
    day, days = month, []
    while day.month == month.month:
        if day.weekday() < 6:  # field staff also go out on Saturdays
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def days_wanted(rng: random.Random, role: str, census: bool = False) -> int:
    """Field days (trips) a person logs in a month; about one manager in seven falls short."""
    if role == Role.ACCOUNT_MANAGER:
        low = 20 if census else 16
        return rng.randint(low - 5, low - 1) if rng.random() < 0.15 else rng.randint(low, low + 5)
    if role == Role.BRANCH_HEAD:
        return rng.randint(8, 14)
    return rng.randint(2, 4)  # leaders' and section chiefs' trips


def photo_pool() -> list[tuple[str, int, str, str]]:
    """The pool's storage names and sizes, with their shown copies and thumbnails.

    Generated once, kept across seeds.
    """
    pool = []
    for k in range(POOL):
        name = f"photos/demo/visit-{k + 1}.jpg"
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(_picture(k)))
        copies = []
        for suffix, thumbnail in (("shown", False), ("thumb", True)):
            copy = f"photos/demo/visit-{k + 1}-{suffix}.jpg"
            if not default_storage.exists(copy):
                with default_storage.open(name, "rb") as source:
                    data = evidence.stripped_jpeg(source, thumbnail=thumbnail)
                default_storage.save(copy, ContentFile(data))
            copies.append(copy)
        pool.append((name, default_storage.size(name), *copies))
    return pool


def _picture(k: int) -> bytes:
    """A plain landscape: sky, hills, a field and a house, different for each k."""
    rng = random.Random(k)
    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE, (120 + 10 * k, 170 + 5 * k, 220))
    draw = ImageDraw.Draw(image)
    horizon = height // 2 + rng.randint(-30, 30)
    for n in range(3):
        x = rng.randint(-100, width)
        draw.ellipse((x, horizon - 90 + 20 * n, x + 320, horizon + 90), fill=(70, 120 + 20 * n, 70))
    draw.rectangle((0, horizon, width, height), fill=(110 + 8 * k, 150, 60))
    x, y = rng.randint(40, width - 160), horizon + rng.randint(10, 60)
    draw.rectangle((x, y, x + 120, y + 80), fill=(235, 230, 215))
    draw.polygon([(x - 10, y), (x + 60, y - 45), (x + 130, y)], fill=(150, 60, 50))
    draw.rectangle((x + 50, y + 35, x + 72, y + 80), fill=(90, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def seed(*, rng: random.Random, reference: datetime.date, at) -> dict:
    """Write the year's field days, photos, findings and ledger; close every month but the last.

    `at(day, hour)` makes an aware datetime in the bank's zone.
    """
    months = months_before(reference)
    head_office = User.objects.get(username="head_office")
    people = list(
        User.objects.filter(
            role__in=[Role.ACCOUNT_MANAGER, Role.BRANCH_HEAD, Role.SECTION_CHIEF, Role.LEADER]
        )
        .order_by("pk")
        .prefetch_related(
            "branches",
            Prefetch("villages", queryset=Village.objects.select_related("township")),
        )
    )
    villages_of_branch = {}
    for village in Village.objects.select_related("township").order_by("pk"):
        villages_of_branch.setdefault(village.township.branch_id, []).append(village)
    partners = {}  # village id -> its account managers
    for person in people:
        for village in person.villages.all():
            partners.setdefault(village.pk, []).append(person)

    pool = photo_pool()
    counts = {"field_days": 0, "photos": 0, "findings": 0, "ledger": 0, "closed_months": 0}
    for n, month in enumerate(months):
        last = month == months[-1]
        census = n < CENSUS_MONTHS
        Month.objects.create(month=month, census_phase=census)
        days = []
        for person in people:
            days += _days_of(
                rng, person, month, last, census, villages_of_branch, partners, head_office, at
            )
        _write_days(rng, days, pool, last, head_office, at, counts)
        _write_ledger(rng, people, month, at, counts)
        if not last:
            _first, following = month_bounds(month)
            close_month(
                month=month, user=head_office, now=at(following + datetime.timedelta(4), 17)
            )
            counts["closed_months"] += 1
    return counts


def _days_of(rng, person, month, last, census, villages_of_branch, partners, head_office, at):
    """(FieldDay, villages) of one person's month, unsaved."""
    own = list(person.villages.all())
    if not own:
        own = [v for b in person.branches.all() for v in villages_of_branch.get(b.pk, [])]
    if not own:
        return []
    calendar = workdays(month)
    chosen = sorted(rng.sample(calendar, min(days_wanted(rng, person.role, census), len(calendar))))
    result = []
    for date in chosen:
        village = rng.choice(own)
        others = [p for p in partners.get(village.pk, []) if p.pk != person.pk]
        households = rng.randint(5, 12)
        status, reviewed_at = FieldDay.Status.CONFIRMED, at(date + datetime.timedelta(2), 16)
        if last and date.day > 24:
            status, reviewed_at = FieldDay.Status.SUBMITTED, None
        elif rng.random() < 0.01:
            status = FieldDay.Status.REJECTED
        day = FieldDay(
            person=person,
            date=date,
            branch_id=village.township.branch_id,
            partner=others[0] if others and rng.random() < 0.7 else None,
            households_visited=households,
            diary=rng.choice(DIARIES).format(village=village.name, n=households),
            status=status,
            submitted_at=at(date, 19),
            reviewed_by=head_office if reviewed_at else None,
            reviewed_at=reviewed_at,
            review_note="照片不能证明当天下乡" if status == FieldDay.Status.REJECTED else "",
        )
        result.append((day, village))
    return result


def _write_days(rng, days, pool, last, head_office, at, counts):
    FieldDay.objects.bulk_create([d for d, _v in days], batch_size=BATCH)
    Through = FieldDay.villages.through
    Through.objects.bulk_create(
        [Through(fieldday_id=d.pk, village_id=v.pk) for d, v in days], batch_size=BATCH
    )
    photos = []
    for day, village in days:
        for n in range(rng.choice((1, 2, 2, 2, 3))):
            name, size, served, thumbnail = rng.choice(pool)
            taken = at(day.date, rng.randint(9, 16)) + datetime.timedelta(minutes=rng.randrange(60))
            photos.append(
                Photo(
                    field_day=day,
                    image=name,
                    served=served,
                    thumbnail=thumbnail,
                    original_name=f"IMG_{day.date:%Y%m%d}_{taken:%H%M}{n:02d}.jpg",
                    size=size,
                    width=PHOTO_SIZE[0],
                    height=PHOTO_SIZE[1],
                    taken_at=taken,
                    latitude=_near(rng, village.latitude),
                    longitude=_near(rng, village.longitude),
                    phash=f"{rng.getrandbits(64):016x}",
                    uploaded_at=at(day.date, 19),
                )
            )
    Photo.objects.bulk_create(photos, batch_size=BATCH)
    findings = []
    for photo in photos:
        day = photo.field_day
        open_ = last and day.status == FieldDay.Status.SUBMITTED
        if rng.random() >= (0.05 if open_ else 0.004):
            continue
        other = day.date - datetime.timedelta(days=rng.randint(1, 20))
        findings.append(
            Finding(
                photo=photo,
                kind=Finding.Kind.OTHER_DAY,
                detail=f"拍摄于 {other.isoformat()}，不是下乡当天 {day.date.isoformat()}",
                status=(
                    Finding.Status.OPEN
                    if open_
                    else rng.choice(
                        [Finding.Status.DISMISSED] * 3 + [Finding.Status.CONFIRMED_FALSIFICATION]
                    )
                ),
                created_at=at(day.date, 19),
                ruled_by=None if open_ else head_office,
                ruled_at=None if open_ else at(day.date + datetime.timedelta(3), 11),
                ruling_note="" if open_ else "已核实",
            )
        )
    Finding.objects.bulk_create(findings, batch_size=BATCH)
    counts["field_days"] += len(days)
    counts["photos"] += len(photos)
    counts["findings"] += len(findings)


def _near(rng, degrees):
    if degrees is None:
        return None
    return (degrees + Decimal(rng.uniform(-0.01, 0.01))).quantize(Decimal("0.000001"))


def _write_ledger(rng, people, month, at, counts):
    """What each account manager marketed in the month, as the core system's extract would say."""
    _first, following = month_bounds(month)
    created = at(following + datetime.timedelta(days=1), 9)
    lines = []
    for person in people:
        if person.role != Role.ACCOUNT_MANAGER:
            continue

        def line(kind, item_ref="", person=person, **values):
            lines.append(
                LedgerEntry(
                    person=person,
                    month=month,
                    kind=kind,
                    item_ref=item_ref,
                    created_at=created,
                    **values,
                )
            )

        line(LedgerKind.FIXED_DEPOSIT, amount=Decimal(rng.randrange(2, 80) * 10_000))
        line(LedgerKind.DEMAND_DEPOSIT, amount=Decimal(rng.randrange(3_000, 90_000) * 1_000))
        if rng.random() < 0.6:
            line(LedgerKind.LOAN_PRINCIPAL, amount=Decimal(rng.randrange(1, 80) * 10_000))
            line(LedgerKind.LOAN_INTEREST, amount=Decimal(rng.randrange(200, 20_000)))
        if rng.random() < 0.05:
            line(LedgerKind.NPL_RECOVERED, amount=Decimal(rng.randrange(5, 100) * 1_000))
        line(LedgerKind.FUKA, count=rng.randint(0, 30))
        line(LedgerKind.VIP_CARD, count=rng.randint(0, 3))
        line(LedgerKind.PERSONAL_EBANKING, count=rng.randint(0, 15))
        if rng.random() < 0.2:
            line(LedgerKind.POS, count=1)
        for n in range(rng.choice((0, 0, 1, 2))):
            line(
                LedgerKind.KALEFU,
                item_ref=f"KLF{person.pk:04d}{n + 1:02d}",
                count=1,
                avg_tx_count=Decimal(rng.randint(2, 30)),
                avg_tx_amount=Decimal(rng.randrange(2_000, 60_000)),
            )
    LedgerEntry.objects.bulk_create(lines, batch_size=BATCH)
    counts["ledger"] += len(lines)
