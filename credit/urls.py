"""The corporate credit pages (/credit/): each concept's views module lists its own patterns."""

from .views import activity, archive, cadence, dashboard, figures, lists, movements, projects, teams

app_name = "credit"

urlpatterns = [
    *lists.urlpatterns,
    *archive.urlpatterns,
    *figures.urlpatterns,
    *teams.urlpatterns,
    *projects.urlpatterns,
    *dashboard.urlpatterns,
    *movements.urlpatterns,
    *activity.urlpatterns,
    *cadence.urlpatterns,
]
