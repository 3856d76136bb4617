"""URLs of the job pages every kind of background work shares, and of the schedule."""

from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/status/", views.job_status, name="status"),
    path("<int:pk>/file/", views.job_file, name="file"),
    path("schedule/", views.schedule_page, name="schedule"),
    path("schedule/<slug:key>/run/", views.schedule_run, name="schedule_run"),
]
