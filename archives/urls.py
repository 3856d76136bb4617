"""URLs of the village archive."""

from django.urls import path

from .views import archive, audit, balances, io, maps, merge, offline, review, summary

app_name = "archives"

urlpatterns = [
    path("more/", archive.more, name="more"),
    path("villages/", archive.villages, name="villages"),
    path("villages/<int:pk>/", archive.village_detail, name="village"),
    path(
        "villages/<int:village_pk>/customers/new/", archive.customer_create, name="customer_create"
    ),
    path("customers/", archive.customer_list, name="customers"),
    path("customers/<int:pk>/", archive.customer_detail, name="customer"),
    path("customers/<int:pk>/edit/", archive.customer_edit, name="customer_edit"),
    # Two records of one person made one (DOMAIN.md §7): branch heads and head office.
    path("customers/<int:pk>/merge/", merge.customer_merge, name="customer_merge"),
]

# Import (head office) and export of archives: archives/views/io.py.

urlpatterns += [
    path("imports/", io.import_upload, name="import_upload"),
    path("imports/template.xlsx", io.import_template_download, name="import_template"),
    path("imports/<int:pk>/confirm/", io.import_confirm, name="import_confirm"),
    path("villages/<int:pk>/export.xlsx", io.village_export, name="village_export"),
    path("branches/<int:pk>/export.xlsx", io.branch_export, name="branch_export"),
]

# Balances: the core-banking import (head office), their one source (DOMAIN.md §7).

urlpatterns += [
    path("balances/", balances.balances_import, name="balances_import"),
    path(
        "balances/template.xlsx",
        balances.balances_template_download,
        name="balances_template",
    ),
    # The daily movement extract (DOMAIN.md §5.5): read by credit/ and classification/.
    path("movements/", balances.movements_import, name="movements_import"),
    path(
        "movements/template.xlsx",
        balances.movements_template_download,
        name="movements_template",
    ),
]

# The access log of personal data (head office).

urlpatterns += [path("access-log/", audit.access_log, name="access_log")]

# The village summary (一村一总结): archives/views/summary.py.

urlpatterns += [
    path("villages/<int:pk>/summary/", summary.village_summary_page, name="village_summary"),
    path(
        "villages/<int:pk>/summary.pdf",
        summary.village_summary_download,
        name="village_summary_pdf",
    ),
]
urlpatterns += [path("pending/", offline.pending, name="pending")]
# A survey's review (DOMAIN.md §7): returned to its author, resubmitted, confirmed, rejected.

urlpatterns += [
    path("surveys/review/", review.survey_reviews, name="survey_reviews"),
    path("surveys/returned/", review.returned_surveys, name="returned_surveys"),
    path("customers/<int:pk>/review/", review.review_survey, name="review_survey"),
    path("customers/<int:pk>/resubmit/", review.resubmit_survey, name="resubmit_survey"),
]

# Maps (archives/maps.py): a village's customers and the layers other apps register;
# a branch's villages.

urlpatterns += [
    path("villages/<int:pk>/map/", maps.village_map, name="village_map"),
    path(
        "villages/<int:pk>/map/customers.json",
        maps.village_map_customers,
        name="village_map_customers",
    ),
    path("branches/<int:pk>/map/", maps.branch_map, name="branch_map"),
]
