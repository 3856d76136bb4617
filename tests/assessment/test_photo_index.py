"""Photo reuse found through the hash bands' indexes: the same photos flagged as the scan did."""

import datetime
import random

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from archives.models import Role
from assessment import evidence, fieldwork, photo_index
from assessment.models import EvidenceSettings, FieldDay, Finding, Photo
from tests.assessment.fieldwork_builders import good_photo, make_field_day
from tests.builders import make_branch, make_user
from tests.conftest import login

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
LIMITS = evidence.Limits(max_bytes=10 * 1024 * 1024, max_pixels=40_000_000)


def spread(phash: str, bits: int) -> str:
    """`phash` with `bits` bits flipped as evenly as the four bands allow: the hardest case
    for the index (each band as far off as it can be)."""
    value = int(phash, 16)
    for i in range(bits):
        band, place = i % evidence.HASH_BANDS, i // evidence.HASH_BANDS
        value ^= 1 << (evidence.BAND_BITS * (evidence.HASH_BANDS - 1 - band) + place)
    return f"{value:016x}"


# --- The bands, without a database ---------------------------------------------------


def test_a_hash_is_cut_into_four_16_bit_bands_most_significant_first():
    assert evidence.hash_bands("0123456789abcdef") == (0x0123, 0x4567, 0x89AB, 0xCDEF)
    assert evidence.hash_bands("FFFF000000000001") == (0xFFFF, 0, 0, 1)


@pytest.mark.parametrize(
    ("threshold", "radius", "probes"),
    [(0, 0, 1), (3, 0, 1), (4, 1, 17), (6, 1, 17), (7, 1, 17), (8, 2, 137), (11, 2, 137)],
)
def test_a_band_is_probed_within_the_threshold_over_four_bits(threshold, radius, probes):
    assert evidence.band_radius(threshold) == radius
    values = evidence.band_probes(0xA5C3, radius)
    assert len(values) == probes
    assert all((value ^ 0xA5C3).bit_count() <= radius for value in values)


def test_past_eleven_bits_the_index_does_not_serve_the_threshold():
    assert evidence.band_radius(evidence.MAX_INDEXED_THRESHOLD + 1) is None


@pytest.mark.parametrize("threshold", range(evidence.MAX_INDEXED_THRESHOLD + 1))
def test_every_hash_within_the_threshold_shares_a_probed_band(threshold):
    radius = evidence.band_radius(threshold)
    rng = random.Random(threshold)
    for _case in range(200):
        new = f"{rng.getrandbits(64):016x}"
        bits = rng.sample(range(64), rng.randint(0, threshold))
        stored = f"{int(new, 16) ^ sum(1 << b for b in bits):016x}"
        for old in (stored, spread(new, threshold)):
            assert any(
                a in evidence.band_probes(b, radius)
                for a, b in zip(evidence.hash_bands(old), evidence.hash_bands(new), strict=True)
            )


# --- Uploads against stored photos ---------------------------------------------------


def stored_photo(person, day, phash, village) -> Photo:
    """A photo stored on `person`'s field day of `day`, with the hash given."""
    field_day = FieldDay.objects.filter(person=person, date=day).first()
    if field_day is None:
        field_day = make_field_day(person, [village], day)
    return Photo.objects.create(
        field_day=field_day,
        image=f"photos/test/{phash}.jpg",
        original_name=f"{phash}.jpg",
        size=1000,
        width=320,
        height=240,
        phash=phash,
    )


def new_photo(seed=31):
    photo = good_photo(TODAY, seed)
    return photo, evidence.inspect_image(photo, limits=LIMITS).phash


@pytest.mark.django_db
def test_the_database_keeps_the_bands_of_every_photo_from_its_hash(world):
    photo = stored_photo(world.manager_b, YESTERDAY, "0123456789abcdef", world.village_b)
    Photo.objects.bulk_create(
        [Photo(field_day=photo.field_day, image="x.jpg", original_name="x", size=1, width=1,
               height=1, phash="FEDCBA9876543210")]
    )  # fmt: skip
    Photo.objects.filter(pk=photo.pk).update(phash="ffff0000a5c3000f")
    rows = Photo.objects.order_by("pk").values_list(
        "phash", "phash_band0", "phash_band1", "phash_band2", "phash_band3"
    )
    for phash, *bands in rows:
        assert tuple(bands) == evidence.hash_bands(phash)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("threshold", "distance", "flagged"),
    [
        (3, 3, True),
        (3, 4, False),
        (6, 0, True),
        (6, 6, True),
        (6, 7, False),
        (11, 11, True),
        (11, 12, False),
    ],
)
def test_a_photo_is_flagged_up_to_the_threshold_and_not_one_bit_past_it(
    world, threshold, distance, flagged
):
    EvidenceSettings.objects.create(hash_threshold=threshold)
    upload, phash = new_photo()
    earlier = stored_photo(world.manager_b, YESTERDAY, spread(phash, distance), world.village_b)
    far = stored_photo(world.manager_b, YESTERDAY, spread(phash, 40), world.village_b)
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [upload])
    findings = list(Finding.objects.filter(photo__field_day=day, kind=Finding.Kind.REUSED))
    if flagged:
        (finding,) = findings
        assert finding.related_photo == earlier
        assert f"（汉明距离 {distance}）" in finding.detail
    else:
        assert findings == []
    assert far.pk not in [f.related_photo_id for f in findings]


@pytest.mark.django_db
@pytest.mark.parametrize("threshold", [3, 6, 11])
def test_the_index_finds_exactly_the_photos_the_scan_found(world, threshold):
    rng = random.Random(threshold)
    hashes = [f"{rng.getrandbits(64):016x}" for _ in range(4)]
    stored = []
    for number in range(120):
        base = hashes[number % 4]
        bits = rng.sample(range(64), rng.randint(0, 2 * threshold + 2))
        stored.append(f"{int(base, 16) ^ sum(1 << b for b in bits):016x}")
    stored += [spread(h, threshold) for h in hashes] + [spread(h, threshold + 1) for h in hashes]
    stored += [f"{rng.getrandbits(64):016x}" for _ in range(200)]
    field_day = make_field_day(world.manager_b, [world.village_b], YESTERDAY)
    Photo.objects.bulk_create(
        Photo(field_day=field_day, image=f"{n}.jpg", original_name=f"{n}", size=1, width=1,
              height=1, phash=phash)
        for n, phash in enumerate(stored)
    )  # fmt: skip
    thresholds = evidence.Thresholds(0, threshold, 500)
    found = photo_index.earlier_like(hashes, day=TODAY, thresholds=thresholds)
    scanned = {
        photo.pk
        for photo in Photo.objects.all()
        if any(evidence.hamming(photo.phash, h) <= threshold for h in hashes)
    }
    assert {photo.id for photo in found} == scanned
    assert len(scanned) > 8


@pytest.mark.django_db
@pytest.mark.parametrize(("days_back", "flagged"), [(30, True), (31, False), (None, True)])
def test_only_photos_of_the_look_back_are_compared(world, days_back, flagged):
    EvidenceSettings.objects.create(reuse_lookback_days=30 if days_back is not None else None)
    upload, phash = new_photo()
    long_ago = TODAY - datetime.timedelta(days=days_back or 3000)
    stored_photo(world.manager_b, long_ago, phash, world.village_b)
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [upload])
    found = Finding.objects.filter(photo__field_day=day, kind=Finding.Kind.REUSED).exists()
    assert found == flagged


@pytest.mark.django_db
def test_a_threshold_past_the_index_saved_before_still_flags_as_the_scan_did(world):
    EvidenceSettings.objects.create(hash_threshold=14)  # refused by the admin since
    upload, phash = new_photo()
    earlier = stored_photo(world.manager_b, YESTERDAY, spread(phash, 14), world.village_b)
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [upload])
    (finding,) = Finding.objects.filter(photo__field_day=day)
    assert finding.related_photo == earlier


@pytest.mark.django_db
def test_a_photo_deleted_after_the_look_up_is_not_named(world, monkeypatch):
    upload, phash = new_photo()
    gone = stored_photo(world.manager_b, YESTERDAY, phash, world.village_b)
    kept = stored_photo(world.manager_c, YESTERDAY, spread(phash, 2), world.village_c)
    look_up = photo_index.earlier_like

    def then_deleted(*args, **kwargs):
        found = look_up(*args, **kwargs)
        gone.delete()  # a day corrected between the look-up and the upload's transaction
        return found

    monkeypatch.setattr(photo_index, "earlier_like", then_deleted)
    day = make_field_day(world.manager_a, [world.village_a], TODAY, [upload])
    (finding,) = Finding.objects.filter(photo__field_day=day)
    assert finding.related_photo == kept


@pytest.mark.django_db
def test_head_office_cannot_set_a_threshold_the_index_cannot_serve(world):
    client = login(world.head_office)
    data = {
        "max_distance_km": "3",
        "hash_threshold": 12,
        "reuse_lookback_days": 365,
        "max_upload_mb": 10,
        "max_pixels": 40000000,
        "max_device_accuracy_m": 500,
    }
    response = client.post("/admin/assessment/evidencesettings/add/", data)
    assert response.status_code == 200
    assert "照片索引" in response.content.decode()
    assert not EvidenceSettings.objects.exists()
    response = client.post("/admin/assessment/evidencesettings/add/", data | {"hash_threshold": 11})
    assert response.status_code == 302
    assert (EvidenceSettings.current().hash_threshold, fieldwork.thresholds_of(
        EvidenceSettings.current()).reuse_lookback_days) == (11, 365)  # fmt: skip


# --- The migration, on a database with photos ----------------------------------------


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_bands_of_the_photos_already_stored():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    person = make_user(Role.ACCOUNT_MANAGER, username="m1")  # archives stays at its latest
    branch = make_branch(code="B09")
    try:
        apps = _migrate([("assessment", "0012_evidence_history")])
        field_day = apps.get_model("assessment", "FieldDay").objects.create(
            person_id=person.pk, date=YESTERDAY, branch_id=branch.pk, households_visited=1,
            submitted_at=timezone.now(),
        )  # fmt: skip
        apps.get_model("assessment", "Photo").objects.create(
            field_day=field_day, image="old.jpg", original_name="old.jpg", size=1, width=1,
            height=1, phash="c3a5f00f0ff0a5c3",
        )  # fmt: skip
    finally:
        _migrate(latest)
    photo = Photo.objects.get(original_name="old.jpg")
    bands = (photo.phash_band0, photo.phash_band1, photo.phash_band2, photo.phash_band3)
    assert bands == (0xC3A5, 0xF00F, 0x0FF0, 0xA5C3)
