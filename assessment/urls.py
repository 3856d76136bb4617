"""URLs of assessment."""

from django.urls import path

from .views import fieldwork, ledger, maps, review_bulk, statements

app_name = "assessment"

# Field work (下乡): field days with photos, and head office's review.
urlpatterns = [
    path("field-days/", fieldwork.my_field_days, name="field_days"),
    path("field-days/new/", fieldwork.log_field_day, name="field_day_log"),
    path("field-days/<int:pk>/", fieldwork.field_day_detail, name="field_day"),
    path("field-days/<int:pk>/review/", fieldwork.review_field_day, name="review_field_day"),
    # Send back (退回补充): returned with a comment, corrected and resubmitted; the partner's answer.
    path("field-days/<int:pk>/return/", fieldwork.return_field_day, name="return_field_day"),
    path("field-days/<int:pk>/correct/", fieldwork.correct_field_day, name="correct_field_day"),
    path("field-days/<int:pk>/partner/", fieldwork.answer_as_partner, name="answer_as_partner"),
    path("photos/<int:pk>/", fieldwork.photo, name="photo"),
    path("findings/<int:pk>/rule/", fieldwork.rule_finding, name="rule_finding"),
    path("review/", fieldwork.review, name="review"),
    path("review/rulings/", review_bulk.rule_findings, name="rule_findings"),
]

# Marketing ledger (营销台账): a month's ledger, lines by hand and the import (head office);
# everyone's own lines. The import's job pages are the archive's.
urlpatterns += [
    path("ledger/", ledger.ledger_month, name="ledger"),
    path("ledger/new/", ledger.ledger_add, name="ledger_add"),
    path("ledger/<int:pk>/correct/", ledger.ledger_correct, name="ledger_correct"),
    path("ledger/import/", ledger.ledger_import, name="ledger_import"),
    path("ledger/template.xlsx", ledger.ledger_template_download, name="ledger_template"),
    path("ledger/mine/", ledger.my_ledger, name="my_ledger"),
]

# Monthly statements: months and their close, head office's inputs and exports (head office);
# a person's statement (themselves, their branch head, head office); everyone's own.
urlpatterns += [
    path("months/", statements.month_list, name="months"),
    path("months/<int:year>/<int:month>/", statements.month_detail, name="month"),
    path("months/<int:year>/<int:month>/census/", statements.census_phase, name="census_phase"),
    path("months/<int:year>/<int:month>/close/", statements.close_month, name="close_month"),
    path(
        "months/<int:year>/<int:month>/confirm-days/",
        statements.confirm_days,
        name="confirm_days",
    ),
    path("months/<int:year>/<int:month>/export.xlsx", statements.export_xlsx, name="export_xlsx"),
    path("months/<int:year>/<int:month>/export.pdf", statements.export_pdf, name="export_pdf"),
    path("months/<int:year>/<int:month>/rewards/new/", statements.reward_create, name="reward"),
    path(
        "months/<int:year>/<int:month>/judgements/new/",
        statements.judgement_create,
        name="judgement",
    ),
    path(
        "months/<int:year>/<int:month>/adjustments/new/",
        statements.adjustment_create,
        name="adjustment",
    ),
    path(
        "months/<int:year>/<int:month>/branches/<int:branch_pk>/",
        statements.branch_statements,
        name="branch_statements",
    ),
    path(
        "months/<int:year>/<int:month>/people/<int:person_pk>/",
        statements.person_statement,
        name="statement",
    ),
    path(
        "months/<int:year>/<int:month>/people/<int:person_pk>/statement.pdf",
        statements.person_statement_pdf,
        name="statement_pdf",
    ),
    path("statements/", statements.my_statements, name="my_statements"),
    # Minimums of going down: leaders' and chiefs' trips and households, heads' field days.
    path("quotas/", statements.my_quotas, name="my_quotas"),
    path("months/<int:year>/<int:month>/quotas/", statements.quota_list, name="quotas"),
]

# The village map's layer of visit photos (registered with archives.maps in apps.py).
urlpatterns += [
    path(
        "villages/<int:pk>/photo-points.json",
        maps.village_photo_points,
        name="village_photo_points",
    ),
]
