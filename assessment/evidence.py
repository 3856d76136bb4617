"""Photo evidence: is an upload a real photo, when and where was it taken, does it fit its field day.

Plain values in, plain values out: the caller passes the file, the limits and the
thresholds (head office's EvidenceSettings); nothing here reads the database, the
settings or the clock. The checks on a photo are a tuple of small rule objects, like
Django's password validators, and one function runs them all.
"""

import datetime
import io
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import imagehash
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Photos are taken in Hong'an: an EXIF time without an offset is Beijing time.
BANK_ZONE = ZoneInfo("Asia/Shanghai")
# What phones and cameras write; a GIF or a TIFF is not a visit photo.
OPEN_FORMATS = ("JPEG", "PNG", "WEBP")
# Format found → extension stored; a phone's multi-picture JPEG opens as MPO.
EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
THUMBNAIL_EDGE = 480

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 36867
OFFSET_TIME_ORIGINAL = 36881
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4


class ImageRefused(ValueError):
    """The upload is not a photo we accept; the message says why, in the user's language."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int


@dataclass(frozen=True)
class DevicePosition:
    """Where the phone's browser said it was when the photo was added, and how sure it was."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: int  # the radius, in whole metres, rounded up


@dataclass(frozen=True)
class PhotoFacts:
    """What an accepted upload is, what its EXIF says, and where the phone was."""

    extension: str
    size: int
    width: int
    height: int
    taken_at: datetime.datetime | None  # aware, in BANK_ZONE
    latitude: Decimal | None
    longitude: Decimal | None
    phash: str  # 16 hex digits, 64 bits
    device: DevicePosition | None = None

    @property
    def unverified(self) -> bool:
        """No capture time and no place: nothing to check, so no finding either."""
        return self.taken_at is None and self.latitude is None and self.device is None


def inspect_image(upload, *, limits: Limits) -> PhotoFacts:
    """Check an upload is a real photo within the limits and read its facts.

    `upload` is a file object (Django's UploadedFile or BytesIO). The size is checked
    before reading, the pixel count from the header before decoding: a small file
    that claims 30000×30000 pixels is refused without being decompressed.
    """
    size = _size_of(upload)
    if size == 0:
        raise ImageRefused(_("The file is empty."))
    if size > limits.max_bytes:
        raise ImageRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limits.max_bytes)}
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice that: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=OPEN_FORMATS) as image:
                width, height = image.size
                if width * height > limits.max_pixels:
                    raise ImageRefused(_too_many_pixels(width, height, limits))
                if image.format in ("JPEG", "MPO"):
                    # Decode at a fraction of the size: enough for the hash, and a
                    # truncated or corrupt file still fails here.
                    image.draft("L", (THUMBNAIL_EDGE, THUMBNAIL_EDGE))
                image.load()
                exif = image.getexif()
                extension = EXTENSIONS[image.format]
                phash = str(imagehash.phash(image))
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(_too_many_pixels(0, 0, limits)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        # Not an image at all (a text file named .jpg), another format, or a
        # truncated or corrupt one.
        raise ImageRefused(
            _("This is not a photo (JPEG, PNG or WebP), or it is damaged.")
        ) from None
    finally:
        upload.seek(0)
    latitude, longitude = gps_position(exif)
    return PhotoFacts(
        extension=extension,
        size=size,
        width=width,
        height=height,
        taken_at=capture_time(exif),
        latitude=latitude,
        longitude=longitude,
        phash=phash,
    )


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        size = upload.seek(0, io.SEEK_END)
    return size


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def _too_many_pixels(width: int, height: int, limits: Limits) -> str:
    if width and height:
        return _("The photo is %(width)s×%(height)s pixels; the limit is %(limit)s pixels.") % {
            "width": width,
            "height": height,
            "limit": f"{limits.max_pixels:,}",
        }
    return _("The photo has too many pixels; the limit is %(limit)s pixels.") % {
        "limit": f"{limits.max_pixels:,}"
    }


def capture_time(exif: Image.Exif) -> datetime.datetime | None:
    """DateTimeOriginal as an aware datetime in Beijing time, or None."""
    raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
    if not isinstance(raw, str):
        return None
    try:
        naive = datetime.datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None  # "0000:00:00 00:00:00" and other placeholders
    offset = exif.get_ifd(EXIF_IFD).get(OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str):
        try:
            zone = datetime.datetime.strptime(offset.strip("\x00 "), "%z").tzinfo
            return naive.replace(tzinfo=zone).astimezone(BANK_ZONE)
        except ValueError:
            pass
    return naive.replace(tzinfo=BANK_ZONE)


def gps_position(exif: Image.Exif) -> tuple[Decimal, Decimal] | tuple[None, None]:
    """Latitude and longitude in degrees (south and west negative), or (None, None)."""
    gps = exif.get_ifd(GPS_IFD)
    try:
        latitude = _degrees(gps[GPS_LATITUDE], gps.get(GPS_LATITUDE_REF, "N"), "S")
        longitude = _degrees(gps[GPS_LONGITUDE], gps.get(GPS_LONGITUDE_REF, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, InvalidOperation):
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    if latitude == 0 and longitude == 0:
        return None, None  # what a phone writes when it had no fix
    return latitude, longitude


def _degrees(parts: Sequence, ref, negative_ref: str) -> Decimal:
    degrees, minutes, seconds = (_rational(part) for part in parts)
    value = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if str(ref).strip("\x00 ").upper() == negative_ref:
        value = -value
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _rational(part) -> Decimal:
    if isinstance(part, tuple):  # (numerator, denominator), as some writers leave it
        numerator, denominator = part
    else:
        numerator, denominator = part.numerator, part.denominator
    return Decimal(int(numerator)) / Decimal(int(denominator))


def distance_km(lat1, lon1, lat2, lon2) -> Decimal:
    """Great-circle (haversine) distance, rounded to 100 metres: the figure shown is the one judged."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
    return Decimal(str(km)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hamming(hash1: str, hash2: str) -> int:
    """Bits that differ between two hex perceptual hashes."""
    return (int(hash1, 16) ^ int(hash2, 16)).bit_count()


# --- The hash's bands: how stored photos near a hash are found (multi-index hashing) ---
#
# The 64-bit hash is cut into four 16-bit bands, each an indexed column of the photo.
# Two hashes d bits apart differ in d bits spread over four bands, so in one band at
# least they differ in d // 4 bits or fewer (pigeonhole): every photo within the
# threshold t is found among those that match the new hash, in some band, to within
# t // 4 bits. At t ≤ 3 that is an exact match of a band (one probe per band); at
# t ≤ 7, a band equal or one bit off (17 probes per band); at t ≤ 11, two bits off
# (137). Beyond that the probes grow fast (697 per band at 15) and catch a good part
# of all photos, so the index serves thresholds up to MAX_INDEXED_THRESHOLD and head
# office's settings refuse a larger one. The exact distance is then checked on the
# few photos found (UsedBefore).

HASH_BANDS = 4
BAND_BITS = 16
MAX_INDEXED_THRESHOLD = 11


def hash_bands(phash: str) -> tuple[int, ...]:
    """The hash's four 16-bit bands, most significant first: what the photo's columns hold."""
    value = int(phash, 16)
    mask = (1 << BAND_BITS) - 1
    return tuple((value >> (BAND_BITS * (HASH_BANDS - 1 - i))) & mask for i in range(HASH_BANDS))


def band_radius(threshold: int) -> int | None:
    """Bits a band may differ by for a photo within `threshold`; None past what the index serves."""
    if threshold > MAX_INDEXED_THRESHOLD:
        return None
    return threshold // HASH_BANDS


def band_probes(band: int, radius: int) -> set[int]:
    """Every 16-bit value within `radius` bits of `band` (itself included)."""
    probes = {band}
    for _step in range(radius):
        probes |= {value ^ (1 << bit) for value in probes for bit in range(BAND_BITS)}
    return probes


def stripped_jpeg(stored, *, thumbnail: bool = False) -> bytes:
    """The stored photo re-encoded as a JPEG with no EXIF, GPS, XMP or other metadata.

    The picture is turned upright first (the EXIF orientation goes with the rest),
    then its pixels are copied into a new image, so nothing from the file's
    metadata can ride along.
    """
    with Image.open(stored, formats=OPEN_FORMATS) as image:
        if thumbnail:
            image.draft("RGB", (THUMBNAIL_EDGE, THUMBNAIL_EDGE))
        upright = ImageOps.exif_transpose(image).convert("RGB")
    if thumbnail:
        upright.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85 if not thumbnail else 75, optimize=True)
    return out.getvalue()


# --- Findings: what a photo says that does not fit its field day ---------------


@dataclass(frozen=True)
class Place:
    name: str
    latitude: Decimal | None
    longitude: Decimal | None


@dataclass(frozen=True)
class EarlierPhoto:
    """A photo already stored, on another field day: a candidate for reuse."""

    id: int
    phash: str
    person: str
    day: datetime.date


@dataclass(frozen=True)
class Thresholds:
    max_distance_km: Decimal
    hash_threshold: int
    max_device_accuracy_m: int  # a phone location this precise or better is checked
    # Photos of field days this many days before the day's own (or after) are compared
    # with it; None: every photo stored.
    reuse_lookback_days: int | None = None


@dataclass(frozen=True)
class Issue:
    kind: str  # a Finding.Kind value
    detail: str
    related_photo_id: int | None = None


class TakenOnAnotherDay:
    kind = "other_day"

    def check(self, facts: PhotoFacts, *, day, places, earlier, thresholds) -> Issue | None:
        if facts.taken_at is None:
            return None
        taken_on = facts.taken_at.astimezone(BANK_ZONE).date()
        if taken_on == day:
            return None
        return Issue(
            self.kind,
            _("Taken on %(taken)s, not on the field day %(day)s")
            % {"taken": taken_on.isoformat(), "day": day.isoformat()},
        )


class TooFarFromTheVillages:
    kind = "too_far"

    def check(self, facts: PhotoFacts, *, day, places, earlier, thresholds) -> Issue | None:
        position = checked_position(facts, thresholds)
        if position is None:
            return None
        latitude, longitude, accuracy_m = position
        distances = [
            distance_km(latitude, longitude, place.latitude, place.longitude)
            for place in places
            if place.latitude is not None and place.longitude is not None
        ]
        if not distances or min(distances) <= thresholds.max_distance_km:
            return None
        detail = _("%(distance)s km from the nearest village claimed (limit %(limit)s km)") % {
            "distance": min(distances),
            "limit": _plain(thresholds.max_distance_km),
        }
        if accuracy_m is not None:
            detail += _(", by the phone's location (±%(accuracy)s m)") % {"accuracy": accuracy_m}
        return Issue(self.kind, detail)


def checked_position(
    facts: PhotoFacts, thresholds: Thresholds
) -> tuple[Decimal, Decimal, int | None] | None:
    """The place a photo is checked at, with the phone's accuracy when it is the phone's.

    The EXIF GPS first; else the phone's location if it is at least as precise as the
    threshold. The phone's location is where the photo was added, which for a picture
    taken there and then is where it was taken; a coarser one (a cell tower's guess,
    kilometres wide) would flag honest photos, so it is not used.
    """
    if facts.latitude is not None and facts.longitude is not None:
        return facts.latitude, facts.longitude, None
    device = facts.device
    if device is None or device.accuracy_m > thresholds.max_device_accuracy_m:
        return None
    return device.latitude, device.longitude, device.accuracy_m


class UsedBefore:
    kind = "reused"

    def check(self, facts: PhotoFacts, *, day, places, earlier, thresholds) -> Issue | None:
        matches = [
            (distance, photo.day, photo.id, photo)
            for photo in earlier
            if (distance := hamming(facts.phash, photo.phash)) <= thresholds.hash_threshold
        ]
        if not matches:
            return None
        distance, _day, _id, photo = min(matches)
        return Issue(
            self.kind,
            _("Like %(person)s's photo of %(day)s (Hamming distance %(distance)s)")
            % {"person": photo.person, "day": photo.day.isoformat(), "distance": distance},
            related_photo_id=photo.id,
        )


RULES = (TakenOnAnotherDay(), TooFarFromTheVillages(), UsedBefore())


def find_issues(
    facts: PhotoFacts,
    *,
    day: datetime.date,
    places: Sequence[Place],
    earlier: Iterable[EarlierPhoto],
    thresholds: Thresholds,
    rules=RULES,
) -> list[Issue]:
    """Every issue the rules find with one photo of a field day on `day` in `places`."""
    earlier = tuple(earlier)
    issues = []
    for rule in rules:
        issue = rule.check(facts, day=day, places=places, earlier=earlier, thresholds=thresholds)
        if issue is not None:
            issues.append(issue)
    return issues


def _plain(value: Decimal) -> str:
    """3.00 → "3", 2.50 → "2.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
