"""The visit photos of a village as points of its map (archives/maps.py's registry)."""

from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from archives.models import Village

from ..models.fieldwork import FieldDay, Photo

# The place a photo says it was taken: its EXIF first, else the phone's own position
# taken when it was added, where the model keeps one.
PLACES = [
    (lat, lon)
    for lat, lon in (("latitude", "longitude"), ("device_latitude", "device_longitude"))
    if {lat, lon} <= {field.name for field in Photo._meta.get_fields()}
]


def village_photo_points(request, pk):
    """Photos of the field days the user sees that claim this village, where they were taken."""
    village = get_object_or_404(Village.objects.visible_to(request.user), pk=pk)
    placed = Q()
    for lat, _lon in PLACES:
        placed |= Q(**{f"{lat}__isnull": False})
    rows = (
        Photo.objects.filter(
            placed,
            field_day__in=FieldDay.objects.visible_to(request.user),
            field_day__villages=village,
        )
        .order_by("field_day__date", "pk")
        .values_list(
            "field_day_id",
            "field_day__date",
            "field_day__person__display_name",
            "field_day__person__username",
            "taken_at",
            *(name for place in PLACES for name in place),
        )
    )
    points = []
    for day_pk, date, display_name, username, taken_at, *coordinates in rows:
        lat, lon = next(
            (coordinates[i], coordinates[i + 1])
            for i in range(0, len(coordinates), 2)
            if coordinates[i] is not None
        )
        points.append(
            {
                "lat": float(lat),
                "lon": float(lon),
                "label": f"{date:%Y-%m-%d} {display_name or username}",
                "detail": f"{timezone.localtime(taken_at):%H:%M}" if taken_at else "",
                "url": reverse("assessment:field_day", args=[day_pk]),
            }
        )
    return JsonResponse({"points": points})
