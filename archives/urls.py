"""URLs of the village archive."""

from django.urls import path

from . import views

app_name = "archives"

urlpatterns = [
    path("villages/<int:pk>/", views.village_detail, name="village"),
    path("villages/<int:village_pk>/customers/new/", views.customer_create, name="customer_create"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
]

# Import (head office) and export of archives: archives/views_io.py.
from . import views_io  # noqa: E402

urlpatterns += [
    path("imports/", views_io.import_upload, name="import_upload"),
    path("imports/template.xlsx", views_io.import_template_download, name="import_template"),
    path("imports/<int:pk>/confirm/", views_io.import_confirm, name="import_confirm"),
    path("villages/<int:pk>/export.xlsx", views_io.village_export, name="village_export"),
    path("branches/<int:pk>/export.xlsx", views_io.branch_export, name="branch_export"),
]

# Balances: the core-banking import (head office) and a customer's balance form.
from . import views_balances  # noqa: E402

urlpatterns += [
    path("balances/", views_balances.balances_import, name="balances_import"),
    path(
        "balances/template.xlsx",
        views_balances.balances_template_download,
        name="balances_template",
    ),
    path(
        "customers/<int:pk>/balances/", views_balances.customer_balances, name="customer_balances"
    ),
]
