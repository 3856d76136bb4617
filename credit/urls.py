"""The corporate credit pages (/credit/): each concept's views module lists its own patterns."""

from .views import archive, dashboard, figures, lists, movements, projects, teams

app_name = "credit"

urlpatterns = [
    *lists.urlpatterns,
    *archive.urlpatterns,
    *figures.urlpatterns,
    *teams.urlpatterns,
    *projects.urlpatterns,
    *dashboard.urlpatterns,
    *movements.urlpatterns,
]
