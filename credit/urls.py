"""The corporate credit pages (/credit/): each concept's views module lists its own patterns."""

from .views import activity, archive, cadence, figures, lists, teams

app_name = "credit"

urlpatterns = [
    *lists.urlpatterns,
    *archive.urlpatterns,
    *figures.urlpatterns,
    *teams.urlpatterns,
    *activity.urlpatterns,
    *cadence.urlpatterns,
]
