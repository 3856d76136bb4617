"""Builders for field-work tests: photos made in memory with EXIF time and GPS, and field days."""

import datetime
import io
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from assessment import evidence, fieldwork
from assessment.models import EvidenceSettings

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Where tests.builders.make_village puts every village.
VILLAGE_LAT = Decimal("31.280000")
VILLAGE_LON = Decimal("114.620000")


def at(day: datetime.date, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _dms(value: Decimal) -> tuple:
    """Degrees, minutes and seconds as EXIF rationals (seconds to 1/100)."""
    value = abs(value)
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    seconds = (minutes_full - minutes) * 60
    return (
        IFDRational(degrees, 1),
        IFDRational(minutes, 1),
        IFDRational(int((seconds * 100).to_integral_value()), 100),
    )


def exif_for(
    taken: datetime.datetime | None = None,
    gps: tuple[Decimal, Decimal] | None = None,
    *,
    offset: str | None = None,
    orientation: int | None = None,
) -> Image.Exif:
    """An Exif block as a phone writes it: DateTimeOriginal (local time) and a GPS IFD."""
    exif = Image.Exif()
    exif[0x0110] = "Test Phone"  # Model, in IFD 0
    if orientation:
        exif[0x0112] = orientation
    if taken is not None:
        sub = {evidence.DATETIME_ORIGINAL: taken.strftime("%Y:%m:%d %H:%M:%S")}
        if offset:
            sub[evidence.OFFSET_TIME_ORIGINAL] = offset
        exif[evidence.EXIF_IFD] = sub
    if gps is not None:
        latitude, longitude = gps
        exif[evidence.GPS_IFD] = {
            evidence.GPS_LATITUDE_REF: "N" if latitude >= 0 else "S",
            evidence.GPS_LATITUDE: _dms(latitude),
            evidence.GPS_LONGITUDE_REF: "E" if longitude >= 0 else "W",
            evidence.GPS_LONGITUDE: _dms(longitude),
        }
    return exif


def picture(seed: int, size=(320, 240)) -> Image.Image:
    """A picture with coarse structure of its own: different seeds hash far apart."""
    rng = random.Random(seed)
    grid = Image.new("L", (8, 6))
    grid.putdata([rng.randrange(256) for _ in range(48)])
    gray = grid.resize(size, Image.Resampling.BICUBIC)
    return Image.merge("RGB", (gray, gray.point(lambda v: 255 - v), gray))


def photo_bytes(
    seed: int = 1,
    *,
    taken: datetime.datetime | None = None,
    gps: tuple[Decimal, Decimal] | None = None,
    fmt: str = "JPEG",
    size=(320, 240),
    quality: int = 90,
    **exif_options,
) -> bytes:
    out = io.BytesIO()
    options = {"quality": quality} if fmt == "JPEG" else {}
    if taken is not None or gps is not None or exif_options:
        options["exif"] = exif_for(taken, gps, **exif_options)
    picture(seed, size).save(out, fmt, **options)
    return out.getvalue()


def upload(data: bytes, name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def good_photo(day: datetime.date, seed: int = 1, name: str | None = None) -> SimpleUploadedFile:
    """Taken that day at 10:00 in the village: raises no finding."""
    data = photo_bytes(seed, taken=at(day), gps=(VILLAGE_LAT, VILLAGE_LON))
    return upload(data, name or f"IMG_{seed:04d}.jpg")


def make_field_day(person, villages, day: datetime.date, photos=(), **fields):
    """A field day through the service, its photos checked as the form checks them."""
    settings = EvidenceSettings.current()
    limits = fieldwork.limits_of(settings)
    checked = [
        fieldwork.CheckedPhoto(photo, evidence.inspect_image(photo, limits=limits))
        for photo in photos
    ]
    return fieldwork.log_field_day(
        person=person,
        date=day,
        villages=list(villages),
        partner=fields.pop("partner", None),
        households_visited=fields.pop("households_visited", 12),
        diary=fields.pop("diary", "走访农户，宣传进村入户政策。"),
        photos=checked,
        thresholds=fieldwork.thresholds_of(settings),
        now=fields.pop("now", timezone.now()),
    )
