"""Photo reuse at 370,000 stored hashes: the band index's look-up against the scan it replaced.

The seed's photos are topped up to STORED hashes with a bulk insert (random 64-bit
hashes, about four a field day of bench staff over two years; the database computes
each photo's four bands), plus a few near copies of the hashes looked for, so the
look-up finds something. One field day's upload of four photos is measured:

- ours: photo_index.earlier_like, the four bands' `IN (...)` OR-ed, the exact distance
  on the photos found, at the default threshold (6) and look-back (730 days), at the
  index's limit (11), and with no look-back;
- the floor (the contrast): what each upload did before, every photo the bank stored
  read in one query and compared in Python (evidence.UsedBefore on each photo).

The photos and days added are removed afterwards. The load average is in each note.
"""

import datetime
import os
import random

from django.db import connection, transaction
from django.utils import timezone

from archives.models import Branch, Role, User
from assessment import evidence, photo_index
from assessment.models import FieldDay, Month, Photo

STORED = 370_000
STAFF = 130
DAYS = 730
UPLOAD = 4  # photos of one field day
BATCH = 10_000


def _open_days(today):
    closed = set(Month.objects.closed().values_list("month", flat=True))
    days = [today - datetime.timedelta(days=n) for n in range(1, DAYS + 1)]
    return [d for d in days if d.replace(day=1) not in closed]


def _near(phash, bits, rng):
    flipped = rng.sample(range(64), bits)
    return f"{int(phash, 16) ^ sum(1 << b for b in flipped):016x}"


def _fill(today, rng, wanted):
    """Bench staff, their field days and `STORED` photos in all; the staff, to remove them after."""
    branch = Branch.objects.order_by("pk").first()
    staff = User.objects.bulk_create(
        User(username=f"bench_photos_{n}", role=Role.ACCOUNT_MANAGER, display_name=f"员工{n}")
        for n in range(STAFF)
    )
    days = _open_days(today)
    now = timezone.now()
    field_days = FieldDay.objects.bulk_create(
        (
            FieldDay(person=person, date=day, branch=branch, diary="bench", submitted_at=now)
            for person in staff
            for day in days
        ),
        batch_size=BATCH,
    )
    need = max(0, STORED - Photo.objects.count())
    near = [_near(h, bits, rng) for h in wanted for bits in (0, 3, 6, 7, 9, 14)]
    hashes = near + [f"{rng.getrandbits(64):016x}" for _ in range(need - len(near))]
    for start in range(0, len(hashes), BATCH):
        Photo.objects.bulk_create(
            Photo(
                field_day=field_days[(start + n) % len(field_days)],
                image="photos/bench.jpg",
                original_name="bench.jpg",
                size=1,
                width=1,
                height=1,
                phash=phash,
            )
            for n, phash in enumerate(hashes[start : start + BATCH])
        )
    return staff


def _scan(facts, today, thresholds):
    """The look-up before the index: every stored photo, compared in Python."""
    rows = Photo.objects.order_by("field_day__date", "pk").values_list(
        "pk",
        "phash",
        "field_day__date",
        "field_day__person__display_name",
        "field_day__person__username",
    )
    earlier = [
        evidence.EarlierPhoto(id=pk, phash=phash, person=name or username, day=day)
        for pk, phash, day, name, username in rows
    ]
    return [
        evidence.UsedBefore().check(f, day=today, places=[], earlier=earlier, thresholds=thresholds)
        for f in facts
    ]


def _indexed(facts, today, thresholds):
    earlier = photo_index.earlier_like((f.phash for f in facts), day=today, thresholds=thresholds)
    return [
        evidence.UsedBefore().check(f, day=today, places=[], earlier=earlier, thresholds=thresholds)
        for f in facts
    ]


def _facts(phash):
    return evidence.PhotoFacts("jpg", 1, 1, 1, None, None, None, phash)


def run(*, Row, median_of):
    rng = random.Random(15)
    today = timezone.localdate()
    wanted = [f"{rng.getrandbits(64):016x}" for _ in range(UPLOAD)]
    staff = _fill(today, rng, wanted)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE assessment_photo")
            cursor.execute("VACUUM ANALYZE assessment_fieldday")
    stored = Photo.objects.count()
    facts = [_facts(h) for h in wanted]
    rows = []
    try:
        default = evidence.Thresholds(0, 6, 500, reuse_lookback_days=730)
        scanned = median_of(lambda: _scan(facts, today, default), repeat=3)
        found_scan = _scan(facts, today, default)
        cases = [
            ("threshold 6, look-back 730 days", default),
            ("threshold 11 (the index's limit)", evidence.Thresholds(0, 11, 500, 730)),
            ("threshold 6, no look-back", evidence.Thresholds(0, 6, 500, None)),
        ]
        for label, thresholds in cases:
            ours = median_of(lambda t=thresholds: _indexed(facts, today, t), repeat=9)
            earlier = photo_index.earlier_like(wanted, day=today, thresholds=thresholds)
            same = ""
            if thresholds.hash_threshold == 6:
                same = ", same findings as the scan: " + (
                    "yes" if _indexed(facts, today, thresholds) == found_scan else "NO"
                )
            rows.append(
                Row(
                    f"photo reuse, 4 photos vs {stored:,} hashes: {label}",
                    ours,
                    scanned,
                    note=f"{len(earlier)} photos within the threshold{same}; floor: the scan "
                    f"(all hashes read, compared in Python); load {os.getloadavg()[0]:.2f}",
                )
            )
    finally:
        with transaction.atomic():
            ids = [person.pk for person in staff]
            Photo.objects.filter(field_day__person__in=ids)._raw_delete(Photo.objects.db)
            FieldDay.objects.filter(person__in=ids)._raw_delete(FieldDay.objects.db)
            User.objects.filter(pk__in=ids)._raw_delete(User.objects.db)
    return rows
