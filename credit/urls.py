"""The corporate credit pages (/credit/): each concept's views module lists its own patterns."""

from .views import archive, figures, lists, movements, teams

app_name = "credit"

urlpatterns = [
    *lists.urlpatterns,
    *archive.urlpatterns,
    *figures.urlpatterns,
    *teams.urlpatterns,
    *movements.urlpatterns,
]
