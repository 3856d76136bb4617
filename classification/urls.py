"""URLs of classification and follow-up."""

from django.urls import path

from . import views

app_name = "classification"

urlpatterns = [
    path("weeks/", views.week_list, name="weeks"),
    path("branches/<int:branch_pk>/run/", views.run, name="run"),
    path("weeks/<int:pk>/", views.week_detail, name="week"),
    path("weeks/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("weeks/<int:pk>/customers/<int:customer_pk>/override/", views.override, name="override"),
    path("weeks/<int:pk>/customers/<int:customer_pk>/lift/", views.lift, name="lift"),
    path("weeks/<int:pk>/customers/<int:customer_pk>/propose/", views.propose, name="propose"),
]
