"""Every page is scoped to its user: out of scope is a 404, for every URL and every role.

The table below names every URL of the project (admin aside); a test fails when a
new URL is added without a row here, so no page escapes the scope check.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import login
from tests.credit.scope import CREDIT_ALLOWED_STATUS, CREDIT_ROLE_STATUS, CREDIT_SCOPE

pytestmark = pytest.mark.django_db

ROLES = (
    "manager_a",
    "manager_a2",
    "manager_b",
    "manager_c",
    "branch_head",
    "branch_head_2",
    "section_chief",
    "leader",
    "head_office",
    "deputy_head",
    "corp_a1",
    "corp_b1",
    "corp_c",
    "corporate_finance",
    "credit_management",
)
EVERYONE = set(ROLES)
# Who may see village A (branch 1) and what is in it; who may change it.
SEE_A = {"manager_a", "manager_a2", "branch_head", "section_chief", "leader", "head_office"}
EDIT_A = {"manager_a", "manager_a2", "branch_head", "head_office"}
SEE_BRANCH_1 = {"branch_head", "section_chief", "leader", "head_office"}
HEAD_OFFICE = {"head_office"}
REVIEW_BRANCH_1 = {"branch_head", "head_office"}
MANAGERS_1 = {"manager_a", "manager_a2", "manager_b"}
# Whose monthly minimums of going down a page shows: head office, heads, chiefs, leaders.
QUOTAS = {"head_office", "branch_head", "branch_head_2", "section_chief", "leader"}


def a_week(w):
    import datetime

    from django.utils import timezone

    from classification.services import run_week

    return run_week(branch=w.branch1, today=datetime.date(2026, 11, 23), now=timezone.now())


def an_import_job(w):
    from jobs.models import Job

    return Job.objects.create(
        kind="archive_import",
        input_file="imports/x.csv",
        subject="x.csv",
        params={"dry_run": True},
        created_by=w.head_office,
    )


def a_ledger_line(w):
    import datetime

    from django.utils import timezone

    from assessment.models.ledger import LedgerEntry

    return LedgerEntry.objects.create(
        person=w.manager_a,
        month=datetime.date(2026, 11, 1),
        kind="fuka_cards",
        count=3,
        created_at=timezone.now(),
    )


def a_field_day(w):
    """manager_a's field day in village A, with one photo that repeats one of manager_b's."""
    import datetime

    from tests.assessment.fieldwork_builders import good_photo, make_field_day

    day = datetime.date(2026, 11, 5)
    make_field_day(
        w.manager_b, [w.village_b], day - datetime.timedelta(days=1), [good_photo(day, 5)]
    )
    return make_field_day(w.manager_a, [w.village_a], day, [good_photo(day, 5)])


def a_photo(w):
    return a_field_day(w).photos.get()


def a_finding(w):
    return a_photo(w).findings.get()


def a_returned_field_day(w):
    from django.utils import timezone

    from assessment import fieldwork

    return fieldwork.return_field_day(
        field_day=a_field_day(w), reviewer=w.head_office, note="补充日志", now=timezone.now()
    )


def a_partnered_field_day(w):
    """manager_a's day naming manager_a2 as partner, waiting for the partner's answer."""
    day = a_field_day(w)
    day.partner = w.manager_a2
    day.partner_answer = "pending"
    day.save()
    return day


def a_filed_survey(w):
    w.customer_a.filed_by = w.manager_a
    w.customer_a.save()
    return w.customer_a


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Photos written by the builders land in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


# url name -> (args built from the world, roles that get the page; everyone else gets 404)
SCOPE_TABLE = {
    # 今日 (the corporate-only roles are sent on to the corporate lists, tests/credit/scope_lists.py);
    # 更多 and the village list: everyone has their own (maybe empty).
    "home": (lambda w: [], EVERYONE),
    "archives:more": (lambda w: [], EVERYONE),
    "archives:villages": (lambda w: [], EVERYONE),
    "archives:customers": (lambda w: [], EVERYONE),
    "archives:pending": (lambda w: [], EVERYONE),  # drawn on the phone from its own outbox
    "archives:village": (lambda w: [w.village_a.pk], SEE_A),
    "archives:customer": (lambda w: [w.customer_a.pk], SEE_A),
    "archives:customer_edit": (lambda w: [w.customer_a.pk], EDIT_A),
    "archives:customer_create": (lambda w: [w.village_a.pk], EDIT_A),
    "archives:customer_merge": (lambda w: [w.customer_a.pk], REVIEW_BRANCH_1),
    "archives:village_export": (lambda w: [w.village_a.pk], SEE_A),
    "archives:village_summary": (lambda w: [w.village_a.pk], SEE_A),
    "assessment:rule_findings": (lambda w: [], HEAD_OFFICE),
    "classification:handover": (lambda w: [w.branch1.pk], REVIEW_BRANCH_1),
    "classification:charts": (lambda w: [], QUOTAS),
    # Village A's census is not done: the PDF sends back to the summary page (302).
    "archives:village_summary_pdf": (lambda w: [w.village_a.pk], SEE_A),
    "archives:branch_export": (lambda w: [w.branch1.pk], SEE_BRANCH_1),
    # Maps: a village's map and its customers' points for whoever sees the village; a
    # branch's map for whoever sees one of its villages (each sees their own villages).
    "archives:village_map": (lambda w: [w.village_a.pk], SEE_A),
    "archives:village_map_customers": (lambda w: [w.village_a.pk], SEE_A),
    "archives:branch_map": (lambda w: [w.branch1.pk], SEE_BRANCH_1 | MANAGERS_1),
    "assessment:village_photo_points": (lambda w: [w.village_a.pk], SEE_A),
    "archives:import_upload": (lambda w: [], HEAD_OFFICE),
    "archives:access_log": (lambda w: [], HEAD_OFFICE),
    "archives:import_template": (lambda w: [], HEAD_OFFICE),
    # Every background job's pages are the jobs app's; each kind says who may follow it
    # (tests/jobs/test_kinds.py tries every registered kind).
    "jobs:job": (lambda w: [an_import_job(w).pk], HEAD_OFFICE),
    "jobs:status": (lambda w: [an_import_job(w).pk], HEAD_OFFICE),
    "jobs:file": (lambda w: [a_statement_job(w).pk], HEAD_OFFICE),
    # The scheduled work (jobs/schedule.py): head office's page and its "run now" (POST).
    "jobs:schedule": (lambda w: [], HEAD_OFFICE),
    "jobs:schedule_run": (lambda w: ["classify_week"], HEAD_OFFICE),
    "archives:import_confirm": (lambda w: [an_import_job(w).pk], HEAD_OFFICE),
    # Balances: head office imports the core-banking extract, their one source.
    "archives:balances_import": (lambda w: [], HEAD_OFFICE),
    "archives:balances_template": (lambda w: [], HEAD_OFFICE),
    # The daily movement extract (DOMAIN.md §5.5): head office imports it.
    "archives:movements_import": (lambda w: [], HEAD_OFFICE),
    "archives:movements_template": (lambda w: [], HEAD_OFFICE),
    # Dashboards: branch heads, chiefs and leaders of their branches, head office; the
    # week's tier summary for whoever sees the week.
    "classification:dashboard": (
        lambda w: [],
        {"branch_head", "branch_head_2", "section_chief", "leader", "head_office"},
    ),
    "classification:dashboard_branch": (lambda w: [w.branch1.pk], SEE_BRANCH_1),
    "classification:week_summary": (lambda w: [a_week(w).pk], SEE_BRANCH_1 | MANAGERS_1),
    "classification:outbox": (lambda w: [], EVERYONE),
    "classification:product_news": (lambda w: [], HEAD_OFFICE),
    "classification:plan_month": (lambda w: [], HEAD_OFFICE),
    "classification:send_due": (lambda w: [], HEAD_OFFICE),
    # Layered maintenance and revisits: everyone has a list of their own (maybe empty);
    # the revisit rate is for those who review a branch; a visit is logged by anyone who
    # sees the customer (POST only).
    "classification:my_customers": (lambda w: [], EVERYONE),
    "classification:revisits_due": (lambda w: [], EVERYONE),
    "classification:revisit_rate": (lambda w: [], {"branch_head", "branch_head_2", "head_office"}),
    # Large movements of one's key customers (§5.5): everyone has a list (maybe empty).
    "classification:key_movements": (lambda w: [], EVERYONE),
    "classification:visit_create": (lambda w: [w.customer_a.pk], SEE_A),
    "classification:weeks": (lambda w: [], EVERYONE),
    "classification:run": (lambda w: [w.branch1.pk], REVIEW_BRANCH_1),
    "classification:week": (lambda w: [a_week(w).pk], SEE_BRANCH_1 | MANAGERS_1),
    "classification:confirm": (lambda w: [a_week(w).pk], REVIEW_BRANCH_1),
    "classification:accept_proposals": (lambda w: [a_week(w).pk], REVIEW_BRANCH_1),
    "classification:override": (lambda w: [a_week(w).pk, w.customer_a.pk], REVIEW_BRANCH_1),
    "classification:lift": (lambda w: [a_week(w).pk, w.customer_a.pk], REVIEW_BRANCH_1),
    "classification:propose": (
        lambda w: [a_week(w).pk, w.customer_a.pk],
        {"manager_a", "manager_a2"},
    ),
    # Marketing ledger: head office keeps it (lines by hand, the import); everyone reads
    # their own lines.
    "assessment:ledger": (lambda w: [], HEAD_OFFICE),
    "assessment:ledger_add": (lambda w: [], HEAD_OFFICE),
    "assessment:ledger_correct": (lambda w: [a_ledger_line(w).pk], HEAD_OFFICE),
    "assessment:ledger_import": (lambda w: [], HEAD_OFFICE),
    "assessment:ledger_template": (lambda w: [], HEAD_OFFICE),
    "assessment:my_ledger": (lambda w: [], EVERYONE),
    # Field work: everyone logs and lists their own field days; a field day and its
    # photos are seen by its person, the branch's head, chiefs and leaders, and head
    # office; head office alone reviews.
    "assessment:field_days": (lambda w: [], EVERYONE),
    "assessment:field_day_log": (lambda w: [], EVERYONE),
    "assessment:field_day": (lambda w: [a_field_day(w).pk], {"manager_a"} | SEE_BRANCH_1),
    "assessment:photo": (lambda w: [a_photo(w).pk], {"manager_a"} | SEE_BRANCH_1),
    "assessment:review": (lambda w: [], {"branch_head", "branch_head_2", "head_office"}),
    "assessment:review_field_day": (lambda w: [a_field_day(w).pk], HEAD_OFFICE),
    "assessment:rule_finding": (lambda w: [a_finding(w).pk], HEAD_OFFICE),
    # Send back (DOMAIN.md §7): head office and the day's branch head return a day; its
    # person corrects it; the partner it names answers. A branch head lists their days.
    "assessment:return_field_day": (lambda w: [a_field_day(w).pk], REVIEW_BRANCH_1),
    "assessment:correct_field_day": (lambda w: [a_returned_field_day(w).pk], {"manager_a"}),
    "assessment:answer_as_partner": (lambda w: [a_partnered_field_day(w).pk], {"manager_a2"}),
    # A survey's review: the branch head of its branch and head office; its author resubmits.
    "archives:survey_reviews": (lambda w: [], {"branch_head", "branch_head_2", "head_office"}),
    "archives:returned_surveys": (lambda w: [], EVERYONE),
    "archives:review_survey": (lambda w: [a_filed_survey(w).pk], REVIEW_BRANCH_1),
    "archives:resubmit_survey": (lambda w: [a_filed_survey(w).pk], {"manager_a"}),
}
# What an allowed GET answers where it is not a plain 200 page: POST-only URLs.
ALLOWED_STATUS = {
    "archives:import_confirm": 405,
    "archives:village_export": 405,  # POST starts the export job
    "archives:branch_export": 405,
    "assessment:rule_findings": 405,
    "assessment:my_quotas": 302,
    "archives:village_summary_pdf": 302,
    "jobs:schedule_run": 405,
    "classification:product_news": 405,
    "classification:plan_month": 405,
    "classification:send_due": 405,
    "classification:visit_create": 405,
    "classification:run": 405,
    "classification:confirm": 405,
    "classification:accept_proposals": 405,
    "classification:override": 405,
    "classification:lift": 405,
    "classification:propose": 405,
    "assessment:review_field_day": 405,
    "assessment:rule_finding": 405,
    "assessment:return_field_day": 405,
    "assessment:answer_as_partner": 405,
    "archives:review_survey": 405,
    "archives:resubmit_survey": 405,
}


def a_statement_job(w):
    """A finished export of October with its file."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from jobs.models import Job

    job = Job.objects.create(
        kind="statements_xlsx",
        subject="2026-10",
        params={"month": datetime.date(2026, 10, 1).isoformat()},
        status=Job.Status.DONE,
        created_by=w.head_office,
        created_at=timezone.now(),
    )
    job.result_file.save("2026-10.xlsx", ContentFile(b"PK"))
    return job


# Monthly statements (October 2026, open): head office runs the months; a statement is
# seen by its person, the branch head of its branch and head office; a branch's page by
# its head and head office; everyone has a list of their own.
OCTOBER = [2026, 10]
SCOPE_TABLE.update(
    {
        "assessment:months": (lambda w: [], HEAD_OFFICE),
        "assessment:month": (lambda w: OCTOBER, HEAD_OFFICE),
        "assessment:census_phase": (lambda w: OCTOBER, HEAD_OFFICE),
        "assessment:close_month": (lambda w: OCTOBER, HEAD_OFFICE),
        "assessment:confirm_days": (lambda w: OCTOBER, HEAD_OFFICE),
        "assessment:export_xlsx": (lambda w: OCTOBER, HEAD_OFFICE),
        "assessment:export_pdf": (lambda w: OCTOBER, HEAD_OFFICE),
        "assessment:reward": (lambda w: OCTOBER, HEAD_OFFICE),
        "assessment:judgement": (lambda w: OCTOBER, HEAD_OFFICE),
        "assessment:adjustment": (lambda w: OCTOBER, HEAD_OFFICE),
        "assessment:branch_statements": (lambda w: [*OCTOBER, w.branch1.pk], REVIEW_BRANCH_1),
        "assessment:statement": (
            lambda w: [*OCTOBER, w.manager_a.pk],
            {"manager_a", "branch_head", "head_office"},
        ),
        "assessment:statement_pdf": (
            lambda w: [*OCTOBER, w.manager_a.pk],
            {"manager_a", "branch_head", "head_office"},
        ),
        "assessment:my_statements": (lambda w: [], EVERYONE),
        "assessment:quotas": (lambda w: [2026, 11], QUOTAS),
        "assessment:my_quotas": (lambda w: [], QUOTAS),
    }
)
ALLOWED_STATUS.update(
    {
        "assessment:census_phase": 405,
        "assessment:confirm_days": 405,
        "assessment:export_xlsx": 405,
        "assessment:export_pdf": 405,
    }
)

# One's own account: everyone changes their own password. The TOTP steps answer only a
# head office session still waiting for its code; any other session is sent on (302).
SCOPE_TABLE.update(
    {
        "accounts:password_change": (lambda w: [], EVERYONE),
        "accounts:otp_setup": (lambda w: [], set()),
        "accounts:otp_verify": (lambda w: [], set()),
    }
)
OWN_ACCOUNT_STATUS = {"accounts:otp_setup": 302, "accounts:otp_verify": 302}

# Corporate credit customers: each concept's rows are in tests/credit/scope.py.
SCOPE_TABLE.update(CREDIT_SCOPE)
ALLOWED_STATUS.update(CREDIT_ALLOWED_STATUS)

# URLs that are not pages of the archive: authentication.
NOT_SCOPED = {"login", "logout"}
# The installable app's worker and manifest: the same for everyone, signed in or not, no data.
NOT_SCOPED |= {"service_worker", "manifest"}


def project_url_names():
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_of_the_project_has_a_row_in_the_scope_table():
    assert project_url_names() - NOT_SCOPED == set(SCOPE_TABLE)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(SCOPE_TABLE))
def test_page_is_200_in_scope_and_404_out_of_scope(world, role, url_name):
    args_of, allowed = SCOPE_TABLE[url_name]
    response = login(getattr(world, role)).get(reverse(url_name, args=args_of(world)))
    allowed_status = CREDIT_ROLE_STATUS.get(url_name, {}).get(
        role, ALLOWED_STATUS.get(url_name, 200)
    )
    refused_status = OWN_ACCOUNT_STATUS.get(url_name, 404)
    assert response.status_code == (allowed_status if role in allowed else refused_status)


@pytest.mark.parametrize("url_name", sorted(SCOPE_TABLE))
def test_anonymous_visitor_is_sent_to_the_login_page(world, client, url_name):
    args_of, _allowed = SCOPE_TABLE[url_name]
    response = client.get(reverse(url_name, args=args_of(world)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "sees", "does_not_see"),
    [
        ("manager_a", ["王大山"], ["刘小河", "陈七里"]),
        ("manager_b", ["刘小河"], ["王大山", "陈七里"]),
        ("branch_head", ["王大山", "刘小河"], ["陈七里"]),
        ("branch_head_2", ["陈七里"], ["王大山", "刘小河"]),
        ("section_chief", ["王大山", "刘小河"], ["陈七里"]),
        ("head_office", ["王大山", "刘小河", "陈七里"], []),
    ],
)
def test_lists_and_search_show_only_customers_in_scope(world, role, sees, does_not_see):
    client = login(getattr(world, role))
    for url in (
        reverse("archives:customers"),
        reverse("archives:customers") + "?q=" + world.customer_c.name,
    ):
        text = client.get(url).text.split("<tbody>")[1]
        for name in does_not_see:
            assert name not in text
    text = client.get(reverse("archives:customers")).text
    for name in sees:
        assert name in text


def test_an_edit_post_out_of_scope_is_404_and_changes_nothing(world):
    client = login(world.manager_b)
    response = client.post(
        reverse("archives:customer_edit", args=[world.customer_a.pk]),
        {"name": "改名", "type": "household"},
    )
    assert response.status_code == 404
    world.customer_a.refresh_from_db()
    assert world.customer_a.name == "王大山"


def test_head_office_can_use_the_admin_and_others_cannot(world):
    assert login(world.head_office).get("/admin/archives/village/").status_code == 200
    response = login(world.branch_head).get("/admin/archives/village/")
    assert response.status_code == 302
