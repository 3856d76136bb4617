"""The maps: a village's customers (and the layers other apps add), a branch's villages."""

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import maps
from ..models import Branch, CustomerType, Village


def texts() -> dict:
    """The words the map's script shows in its popups (static/js/map.js)."""
    return {
        "open_customer": _("Open the survey"),
        "open_field_day": _("Open the field day"),
        "open_map": _("Map of the village"),
        "open_village": _("Village page"),
        "accuracy": _("±%(metres)s m"),
        "filed": _("%(filed)s of %(registered)s households filed"),
        "centre_set": _("Centre set by head office"),
        "centre_households": _("Centre: mean of its customers' positions"),
        "nothing": _("Nothing to draw yet: no position has been recorded here."),
        "failed": _("Some points could not be loaded: reload the page to try again."),
    }


def village_map(request, pk):
    village = get_object_or_404(
        Village.objects.visible_to(request.user).select_related("township__branch"), pk=pk
    )
    layers = [
        {
            "key": "customers",
            "label": _("Customers"),
            "url": reverse("archives:village_map_customers", args=[pk]),
            "marker": "customer",
        },
        *(
            {
                "key": layer.key,
                "label": str(layer.label),
                "url": reverse(layer.url_name, args=[pk]),
                "marker": layer.marker,
            }
            for layer in maps.VILLAGE_LAYERS
        ),
    ]
    centre = maps.village_centre(village, {})
    return render(
        request,
        "archives/map.html",
        {
            "village": village,
            "branch": village.township.branch,
            "types": [(label, maps.TYPE_COLOURS[value]) for value, label in CustomerType.choices],
            "extra_layers": maps.VILLAGE_LAYERS,
            "counts": maps.placed_counts(village),
            "config": {
                "tiles": maps.tiles(),
                "layers": layers,
                "centre": centre[:2] if centre else None,
                "texts": texts(),
            },
        },
    )


def village_map_customers(request, pk):
    """The village's customers with a position: short names, types, links; no numbers."""
    village = get_object_or_404(Village.objects.visible_to(request.user), pk=pk)
    return JsonResponse({"points": maps.household_points(village)})


def branch_map(request, pk):
    """The branch's villages the user sees, each at its centre with its coverage."""
    branch = get_object_or_404(Branch, pk=pk)
    villages = Village.objects.visible_to(request.user).filter(township__branch=branch)
    points, unplaced = maps.village_points(villages)
    if not points and not unplaced:
        raise Http404  # no village of this branch in the user's scope
    return render(
        request,
        "archives/map.html",
        {
            "branch": branch,
            "unplaced": unplaced,
            "village_count": len(points) + len(unplaced),
            "config": {
                "tiles": maps.tiles(),
                "layers": [
                    {
                        "key": "villages",
                        "label": _("Villages"),
                        "points": points,
                        "marker": "village",
                    }
                ],
                "centre": None,
                "texts": texts(),
            },
        },
    )
