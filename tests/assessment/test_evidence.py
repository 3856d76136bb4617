"""Photo evidence, without the database: real images only, EXIF time and GPS, distance, hashes, findings."""

import datetime
import io
import struct
import zlib
from decimal import Decimal

import pytest
from PIL import Image, ImageFile

from assessment import evidence
from assessment.evidence import (
    EarlierPhoto,
    ImageRefused,
    Limits,
    Place,
    Thresholds,
    distance_km,
    find_issues,
    hamming,
    inspect_image,
    stripped_jpeg,
)
from tests.assessment.fieldwork_builders import (
    SHANGHAI,
    VILLAGE_LAT,
    VILLAGE_LON,
    at,
    photo_bytes,
    picture,
)

LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_pixels=40_000_000)
THRESHOLDS = Thresholds(max_distance_km=Decimal("3"), hash_threshold=6, max_device_accuracy_m=500)
DAY = datetime.date(2026, 11, 5)
VILLAGE = Place("A村", VILLAGE_LAT, VILLAGE_LON)


def inspect(data: bytes, limits=LIMITS):
    return inspect_image(io.BytesIO(data), limits=limits)


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width×height pixels: a decompression bomb's shape."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


# --- Is it a real photo within the limits ------------------------------------------


def test_a_phone_photo_is_read_with_its_capture_time_and_gps_position():
    data = photo_bytes(taken=at(DAY, 9, 41), gps=(Decimal("31.281234"), Decimal("114.623456")))
    facts = inspect(data)
    assert facts.extension == "jpg"
    assert (facts.width, facts.height) == (320, 240)
    assert facts.size == len(data)
    assert facts.taken_at == datetime.datetime(2026, 11, 5, 9, 41, tzinfo=SHANGHAI)
    assert facts.taken_at.utcoffset() == datetime.timedelta(hours=8)
    # Seconds are written to 1/100: the position comes back within 1/360000 of a degree.
    assert abs(facts.latitude - Decimal("31.281234")) < Decimal("0.000003")
    assert abs(facts.longitude - Decimal("114.623456")) < Decimal("0.000003")
    assert isinstance(facts.latitude, Decimal)
    assert len(facts.phash) == 16
    int(facts.phash, 16)
    assert not facts.unverified


def test_the_exif_built_by_the_tests_round_trips_through_pillow():
    data = photo_bytes(taken=at(DAY), gps=(VILLAGE_LAT, VILLAGE_LON))
    exif = Image.open(io.BytesIO(data)).getexif()
    assert exif.get_ifd(0x8769)[36867] == "2026:11:05 10:00:00"
    gps = exif.get_ifd(0x8825)
    assert gps[1] == "N"
    assert gps[3] == "E"
    assert [float(part) for part in gps[2]] == [31.0, 16.0, 48.0]
    assert [float(part) for part in gps[4]] == [114.0, 37.0, 12.0]


def test_south_and_west_are_negative():
    data = photo_bytes(taken=at(DAY), gps=(Decimal("-33.8688"), Decimal("-70.6693")))
    facts = inspect(data)
    assert facts.latitude == Decimal("-33.868800")
    assert facts.longitude == Decimal("-70.669300")


def test_a_capture_time_with_an_offset_is_turned_into_beijing_time():
    # 17:30 in London on the 4th is 01:30 in Hong'an on the 5th.
    data = photo_bytes(taken=datetime.datetime(2026, 11, 4, 17, 30), offset="+00:00")  # noqa: DTZ001
    assert inspect(data).taken_at == datetime.datetime(2026, 11, 5, 1, 30, tzinfo=SHANGHAI)


def test_a_photo_without_exif_is_unverified():
    facts = inspect(photo_bytes())
    assert facts.taken_at is None
    assert facts.latitude is None
    assert facts.unverified


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_photos_too(fmt):
    facts = inspect(photo_bytes(fmt=fmt, taken=at(DAY)))
    assert facts.extension == fmt.lower()
    assert facts.taken_at == at(DAY)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a text file renamed .jpg", "走访记录：今天去了A村。\n".encode()),
        ("an empty file", b""),
        ("a jpeg cut in half", photo_bytes(size=(1200, 900))[:4000]),
        ("a GIF", None),
        ("a JPEG header and nothing else", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    ],
)
def test_what_is_not_a_photo_is_refused(name, data):
    if data is None:
        out = io.BytesIO()
        picture(3).save(out, "GIF")
        data = out.getvalue()
    with pytest.raises(ImageRefused):
        inspect(data)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    data = photo_bytes()
    with pytest.raises(ImageRefused, match="MB"):
        inspect(data, Limits(max_bytes=len(data) - 1, max_pixels=40_000_000))
    assert inspect(data, Limits(max_bytes=len(data), max_pixels=40_000_000))


def test_a_decompression_bomb_is_refused_without_decoding_it(monkeypatch):
    def no_decoding(self):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    bomb = png_header_only(30000, 30000)
    assert len(bomb) < 200
    with pytest.raises(ImageRefused):
        inspect(bomb)
    # Also when head office's limit is above Pillow's own guard: that guard still holds.
    with pytest.raises(ImageRefused):
        inspect(bomb, Limits(max_bytes=10 * 1024 * 1024, max_pixels=10**10))


@pytest.mark.parametrize(
    ("width", "height", "refused"),
    [(1000, 1000, False), (1000, 1001, True)],
)
def test_the_pixel_limit_is_inclusive(width, height, refused):
    data = photo_bytes(size=(width, height))
    limits = Limits(max_bytes=10 * 1024 * 1024, max_pixels=1_000_000)
    if refused:
        with pytest.raises(ImageRefused, match="1000×1001"):
            inspect(data, limits)
    else:
        assert inspect(data, limits).width == 1000


def test_pillows_bomb_warning_is_a_refusal(monkeypatch):
    # Between Pillow's limit and twice that, Pillow only warns: that is refused too.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000)
    with pytest.raises(ImageRefused):
        inspect(photo_bytes(size=(300, 200)), Limits(max_bytes=10**7, max_pixels=10**9))


# --- Distance and hashes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat2", "lon2", "km"),
    [
        (Decimal("31.280000"), Decimal("114.620000"), Decimal("0.0")),
        (Decimal("31.289000"), Decimal("114.620000"), Decimal("1.0")),  # 0.009° of latitude
        (Decimal("31.307000"), Decimal("114.620000"), Decimal("3.0")),
        (Decimal("31.308000"), Decimal("114.620000"), Decimal("3.1")),
        (
            Decimal("31.280000"),
            Decimal("114.748000"),
            Decimal("12.2"),
        ),  # longitude shrinks by cos(lat)
        (
            Decimal("30.593000"),
            Decimal("114.305000"),
            Decimal("82.1"),
        ),  # Wuhan (law of cosines: 82.09)
    ],
)
def test_haversine_distance_in_km_to_the_nearest_100_metres(lat2, lon2, km):
    assert distance_km(VILLAGE_LAT, VILLAGE_LON, lat2, lon2) == km
    assert distance_km(lat2, lon2, VILLAGE_LAT, VILLAGE_LON) == km


def with_facts(*, taken=None, gps=None, phash="0" * 16, device=None):
    return evidence.PhotoFacts(
        device=device,
        extension="jpg",
        size=1000,
        width=320,
        height=240,
        taken_at=taken,
        latitude=gps[0] if gps else None,
        longitude=gps[1] if gps else None,
        phash=phash,
    )


@pytest.mark.parametrize(
    ("latitude", "flagged"),
    [
        (Decimal("31.307000"), False),  # 3.0 km: exactly at the limit
        (Decimal("31.308000"), True),  # 3.1 km: one step over
    ],
)
def test_a_photo_exactly_at_the_distance_limit_passes_and_one_step_over_is_a_finding(
    latitude, flagged
):
    facts = with_facts(taken=at(DAY), gps=(latitude, VILLAGE_LON))
    issues = find_issues(facts, day=DAY, places=[VILLAGE], earlier=[], thresholds=THRESHOLDS)
    assert [i.kind for i in issues] == (["too_far"] if flagged else [])
    if flagged:
        detail = issues[0].detail
        assert "3.1" in detail
        assert detail.replace("3.1", "").count("3") == 1  # the limit, shown as "3", not "3.00"


def test_the_nearest_claimed_village_counts_and_villages_without_coordinates_are_skipped():
    far = Place("远村", Decimal("31.500000"), Decimal("114.900000"))
    unknown = Place("无坐标村", None, None)
    facts = with_facts(taken=at(DAY), gps=(Decimal("31.281000"), VILLAGE_LON))
    kw = {"day": DAY, "earlier": [], "thresholds": THRESHOLDS}
    assert find_issues(facts, places=[far, VILLAGE, unknown], **kw) == []
    assert [i.kind for i in find_issues(facts, places=[far, unknown], **kw)] == ["too_far"]
    assert find_issues(facts, places=[unknown], **kw) == []


def flip(hex_hash: str, bits: int) -> str:
    return f"{int(hex_hash, 16) ^ ((1 << bits) - 1):016x}"


@pytest.mark.parametrize(("bits", "reused"), [(0, True), (5, True), (6, True), (7, False)])
def test_a_photo_within_the_hamming_threshold_of_an_earlier_one_is_reused(bits, reused):
    earlier = EarlierPhoto(
        id=7, phash="c3a5f00f0ff0a5c3", person="张三", day=datetime.date(2026, 10, 2)
    )
    assert hamming(earlier.phash, flip(earlier.phash, bits)) == bits
    facts = with_facts(phash=flip(earlier.phash, bits))
    issues = find_issues(facts, day=DAY, places=[VILLAGE], earlier=[earlier], thresholds=THRESHOLDS)
    if reused:
        assert [(i.kind, i.related_photo_id) for i in issues] == [("reused", 7)]
        assert "张三" in issues[0].detail
        assert "2026-10-02" in issues[0].detail
        assert str(bits) in issues[0].detail
    else:
        assert issues == []


def test_the_closest_earlier_photo_is_named():
    base = "c3a5f00f0ff0a5c3"
    earlier = [
        EarlierPhoto(id=1, phash=flip(base, 4), person="李四", day=datetime.date(2026, 9, 1)),
        EarlierPhoto(id=2, phash=flip(base, 1), person="王五", day=datetime.date(2026, 10, 1)),
    ]
    (issue,) = find_issues(
        with_facts(phash=base), day=DAY, places=[], earlier=earlier, thresholds=THRESHOLDS
    )
    assert issue.related_photo_id == 2


def test_near_identical_photos_hash_close_and_different_photos_far_apart():
    original = inspect(photo_bytes(11, quality=95)).phash
    recompressed = inspect(photo_bytes(11, quality=40)).phash
    brightened = io.BytesIO()
    picture(11).point(lambda v: min(255, v + 12)).save(brightened, "JPEG")
    assert hamming(original, recompressed) <= THRESHOLDS.hash_threshold
    assert hamming(original, inspect(brightened.getvalue()).phash) <= THRESHOLDS.hash_threshold
    for seed in range(12, 20):
        assert hamming(original, inspect(photo_bytes(seed)).phash) > THRESHOLDS.hash_threshold


# --- The day ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("taken", "flagged"),
    [
        (at(DAY, 0, 0), False),
        (at(DAY, 23, 59), False),
        (datetime.datetime(2026, 11, 4, 16, 30, tzinfo=datetime.UTC), False),  # 00:30 in Hong'an
        (at(datetime.date(2026, 11, 4), 23, 59), True),
        (at(datetime.date(2026, 11, 3), 15, 0), True),
        (at(datetime.date(2026, 11, 6), 0, 1), True),
    ],
)
def test_a_photo_taken_on_another_day_in_beijing_time_is_a_finding(taken, flagged):
    issues = find_issues(
        with_facts(taken=taken), day=DAY, places=[VILLAGE], earlier=[], thresholds=THRESHOLDS
    )
    assert [i.kind for i in issues] == (["other_day"] if flagged else [])


def test_the_other_day_finding_names_both_dates():
    taken = at(datetime.date(2026, 11, 3), 15, 0)
    (issue,) = find_issues(
        with_facts(taken=taken), day=DAY, places=[VILLAGE], earlier=[], thresholds=THRESHOLDS
    )
    assert "2026-11-03" in issue.detail
    assert "2026-11-05" in issue.detail


def test_an_unverified_photo_raises_no_finding():
    facts = inspect(photo_bytes(5))
    assert facts.unverified
    assert find_issues(facts, day=DAY, places=[VILLAGE], earlier=[], thresholds=THRESHOLDS) == []


# --- Where a photo was: its EXIF GPS, else the phone's location if precise enough ---


def phone_at(latitude, accuracy_m, longitude=VILLAGE_LON):
    return evidence.DevicePosition(latitude=latitude, longitude=longitude, accuracy_m=accuracy_m)


def too_far(facts, thresholds=THRESHOLDS):
    issues = find_issues(facts, day=DAY, places=[VILLAGE], earlier=[], thresholds=thresholds)
    return [i for i in issues if i.kind == "too_far"]


@pytest.mark.parametrize(
    ("latitude", "accuracy_m", "flagged"),
    [
        (Decimal("31.307000"), 10, False),  # 3.0 km: exactly at the distance limit
        (Decimal("31.308000"), 10, True),  # 3.1 km: one step over
        (Decimal("31.308000"), 500, True),  # accuracy exactly at its limit: used
        (Decimal("31.308000"), 501, False),  # one metre coarser: not used
        (Decimal("31.307000"), 500, False),  # at both limits: used, and within the distance
        (Decimal("32.000000"), 5000, False),  # 80 km by a cell tower's guess: not used
    ],
)
def test_the_phones_location_is_checked_where_the_exif_has_no_gps(latitude, accuracy_m, flagged):
    facts = with_facts(taken=at(DAY), device=phone_at(latitude, accuracy_m))
    assert bool(too_far(facts)) is flagged


@pytest.mark.parametrize(
    ("limit", "accuracy_m", "used"), [(100, 99, True), (100, 100, True), (100, 101, False)]
)
def test_the_accuracy_limit_is_head_offices_and_inclusive(limit, accuracy_m, used):
    thresholds = Thresholds(
        max_distance_km=Decimal("3"), hash_threshold=6, max_device_accuracy_m=limit
    )
    facts = with_facts(taken=at(DAY), device=phone_at(Decimal("31.400000"), accuracy_m))
    assert bool(too_far(facts, thresholds)) is used


NEAR = (Decimal("31.281000"), VILLAGE_LON)
FAR = (Decimal("31.400000"), VILLAGE_LON)  # 13.3 km north


@pytest.mark.parametrize(
    ("exif_gps", "phone", "flagged"),
    [
        (NEAR, FAR, False),  # the photo's own GPS wins over the phone's location
        (FAR, NEAR, True),
        (None, FAR, True),
        (None, NEAR, False),
        (None, None, False),
    ],
)
def test_the_photos_own_gps_comes_before_the_phones_location(exif_gps, phone, flagged):
    device = phone_at(phone[0], 20) if phone else None
    facts = with_facts(taken=at(DAY), gps=exif_gps, device=device)
    assert bool(too_far(facts)) is flagged


def test_a_finding_by_the_phones_location_says_so_with_its_accuracy():
    (issue,) = too_far(with_facts(device=phone_at(FAR[0], 35)))
    assert "13.3" in issue.detail
    assert "35" in issue.detail
    (by_gps,) = too_far(with_facts(gps=FAR))
    assert "35" not in by_gps.detail
    assert by_gps.detail in issue.detail


def test_a_photo_without_exif_but_with_the_phones_location_is_not_unverified():
    assert with_facts().unverified
    assert not with_facts(device=phone_at(NEAR[0], 2000)).unverified


# --- Serving ------------------------------------------------------------------------


def test_a_served_photo_carries_no_exif_and_no_gps():
    data = photo_bytes(taken=at(DAY), gps=(VILLAGE_LAT, VILLAGE_LON))
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    for thumbnail in (False, True):
        served = Image.open(io.BytesIO(stripped_jpeg(io.BytesIO(data), thumbnail=thumbnail)))
        assert served.format == "JPEG"
        assert dict(served.getexif()) == {}
        assert served.getexif().get_ifd(0x8825) == {}
        assert "exif" not in served.info
        assert "xmp" not in served.info


def test_a_served_photo_is_turned_upright_before_its_orientation_tag_is_dropped():
    # Orientation 6: the camera was held sideways; the stored pixels are 320×240.
    data = photo_bytes(taken=at(DAY), orientation=6)
    served = Image.open(io.BytesIO(stripped_jpeg(io.BytesIO(data))))
    assert served.size == (240, 320)


def test_a_thumbnail_is_small():
    data = photo_bytes(size=(2000, 1500))
    served = Image.open(io.BytesIO(stripped_jpeg(io.BytesIO(data), thumbnail=True)))
    assert max(served.size) <= evidence.THUMBNAIL_EDGE
