"""Stored photos that may be a new photo used again, found through the hash bands' indexes.

Multi-index hashing in plain SQL (the same on SQLite and PostgreSQL): each photo keeps
its 64-bit perceptual hash cut into four 16-bit bands, each an indexed integer column
the database computes from the hash (Photo.phash_band0…3). A photo within the
threshold of a new hash matches it in at least one band to within threshold // 4 bits
(evidence.band_radius), so one query of `band IN (…)` per band, OR-ed, returns every
such photo among a few others, and the exact distance is checked on those few.
evidence.UsedBefore then names the closest for each photo, as it did from every photo.
Read before the upload's transaction takes its locks (fieldwork.log_field_day,
resubmit_field_day): the writes wait for nothing here.
"""

import datetime
import functools
import operator
from collections.abc import Iterable

from django.db.models import Q

from . import evidence
from .models.fieldwork import Photo


def earlier_like(
    hashes: Iterable[str],
    *,
    day: datetime.date,
    thresholds: evidence.Thresholds,
    exclude_field_day=None,
) -> list[evidence.EarlierPhoto]:
    """The stored photos within the threshold of one of `hashes` (one query).

    Those of other field days than `exclude_field_day` (two shots of one household on
    one day are not a reuse), of the bank's field days from `reuse_lookback_days` before
    `day` on (all of them when it is None). Past what the index serves
    (evidence.MAX_INDEXED_THRESHOLD, refused in the settings since; a row saved before
    may hold one), every photo of the look-back is returned, as the scan did.
    """
    hashes = set(hashes)
    if not hashes:
        return []
    photos = Photo.objects.all()
    if exclude_field_day is not None:
        photos = photos.exclude(field_day=exclude_field_day)
    if thresholds.reuse_lookback_days is not None:
        since = day - datetime.timedelta(days=thresholds.reuse_lookback_days)
        photos = photos.filter(field_day__date__gte=since)
    radius = evidence.band_radius(thresholds.hash_threshold)
    if radius is not None:
        photos = photos.filter(_sharing_a_band(hashes, radius))
    rows = photos.order_by("field_day__date", "pk").values_list(
        "pk",
        "phash",
        "field_day__date",
        "field_day__person__display_name",
        "field_day__person__username",
    )
    threshold = thresholds.hash_threshold
    return [
        evidence.EarlierPhoto(id=pk, phash=phash, person=name or username, day=day)
        for pk, phash, day, name, username in rows
        if any(evidence.hamming(phash, new) <= threshold for new in hashes)
    ]


def _sharing_a_band(hashes: set[str], radius: int) -> Q:
    """Photos whose band i is within `radius` bits of band i of one of `hashes`, for some i."""
    probes: list[set[int]] = [set() for _ in range(evidence.HASH_BANDS)]
    for phash in hashes:
        for index, band in enumerate(evidence.hash_bands(phash)):
            probes[index] |= evidence.band_probes(band, radius)
    return functools.reduce(
        operator.or_,
        (Q(**{f"phash_band{index}__in": sorted(values)}) for index, values in enumerate(probes)),
    )


def still_stored(earlier: list[evidence.EarlierPhoto]) -> list[evidence.EarlierPhoto]:
    """Those of `earlier` not deleted since they were read (a day corrected meanwhile)."""
    if not earlier:
        return earlier
    kept = set(Photo.objects.filter(pk__in=[e.id for e in earlier]).values_list("pk", flat=True))
    return [photo for photo in earlier if photo.id in kept]
