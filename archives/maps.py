"""Maps: the points of a village (its customers) and of a branch (its villages), and the
registry of the layers other apps add to a village's map.

The page (templates/archives/map.html, static/js/map.js) fetches each layer's JSON. A
higher floor adds a layer by registering it at start-up (assessment adds the visit
photos in its AppConfig.ready), so archives never names it. Points carry no ID number
nor phone; a household's name is shortened to its surname.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils.functional import Promise

from .models import HOUSEHOLD_TYPES, Customer, CustomerType

# One colour per customer type, on the map and in its legend (colour-blind safe, Okabe-Ito).
TYPE_COLOURS = {
    CustomerType.HOUSEHOLD: "#0072B2",
    CustomerType.LARGE_GROWER: "#009E73",
    CustomerType.INDIVIDUAL_BUSINESS: "#E69F00",
    CustomerType.FAMILY_FARM: "#56B4E9",
    CustomerType.COOPERATIVE: "#CC79A7",
    CustomerType.LEADING_ENTERPRISE: "#D55E00",
}


@dataclass(frozen=True)
class MapLayer:
    """A layer of a village's map served by another app: its JSON URL takes the village's pk.

    The URL answers {"points": [{"lat", "lon", "label", "url", ...}]}, for the user's
    scope, and 404 for a village out of it.
    """

    key: str
    label: str | Promise
    url_name: str
    marker: str = "photo"  # a class of static/css/app.css: .map-marker-<marker>


VILLAGE_LAYERS: list[MapLayer] = []


def register_village_layer(layer: MapLayer) -> None:
    if all(known.key != layer.key for known in VILLAGE_LAYERS):
        VILLAGE_LAYERS.append(layer)


def tiles() -> dict:
    """What the page's script needs of the tile server: nothing when there is none."""
    if not settings.MAP_TILE_URL:
        return {}
    return {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}


def short_name(customer_type: str, name: str) -> str:
    """A person's name shortened to the surname (王**); an organisation's name is public."""
    if customer_type not in HOUSEHOLD_TYPES or len(name) < 2:
        return name
    return name[0] + "*" * (len(name) - 1)


def household_points(village) -> list[dict]:
    """Every customer of `village` with a recorded position, in one query."""
    rows = (
        Customer.objects.filter(village=village, latitude__isnull=False)
        .order_by("pk")
        .values_list("pk", "name", "customer_type", "latitude", "longitude", "position_accuracy")
    )
    labels = dict(CustomerType.choices)
    return [
        {
            "lat": float(lat),
            "lon": float(lon),
            "label": short_name(kind, name),
            "type": kind,
            "type_label": str(labels.get(kind, kind)),
            "colour": TYPE_COLOURS.get(kind, "#666666"),
            "accuracy": accuracy,
            "url": reverse("archives:customer", args=[pk]),
        }
        for pk, name, kind, lat, lon, accuracy in rows
    ]


def household_means(villages) -> dict[int, tuple[Decimal, Decimal, int]]:
    """{village id: (mean latitude, mean longitude, customers placed)}, in one query."""
    rows = (
        Customer.objects.filter(village__in=villages, latitude__isnull=False)
        .order_by()
        .values("village")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"), n=Count("pk"))
        .values_list("village", "lat", "lon", "n")
    )
    return {village: (lat, lon, n) for village, lat, lon, n in rows}


def village_centre(village, means) -> tuple[float, float, str] | None:
    """The centre head office set, else the mean of its placed customers, else None."""
    if village.latitude is not None and village.longitude is not None:
        return float(village.latitude), float(village.longitude), "set"
    if village.pk in means:
        lat, lon, _n = means[village.pk]
        return float(lat), float(lon), "households"
    return None


def village_points(villages) -> tuple[list[dict], list]:
    """The points of a branch's map (villages with coverage) and the villages without a place.

    `villages` is a queryset in the user's scope; two queries whatever their number.
    """
    villages = list(villages.with_coverage().order_by("code"))
    means = household_means([v.pk for v in villages])
    points, unplaced = [], []
    for village in villages:
        centre = village_centre(village, means)
        if centre is None:
            unplaced.append(village)
            continue
        lat, lon, source = centre
        points.append(
            {
                "lat": lat,
                "lon": lon,
                "label": village.name,
                "source": source,
                "filed": village.filed_households,
                "registered": village.registered_households,
                "coverage": village.coverage_percent,
                "url": reverse("archives:village_map", args=[village.pk]),
                "page": village.get_absolute_url(),
            }
        )
    return points, unplaced


def placed_counts(village) -> dict:
    """How many customers of the village have a position, of how many."""
    return Customer.objects.filter(village=village).aggregate(
        total=Count("pk"), placed=Count("pk", filter=Q(latitude__isnull=False))
    )
