"""A survey's review (DOMAIN.md §7): returned to its author with a comment, corrected and
resubmitted, confirmed or rejected (final); every state in its history; the archive unchanged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archives import survey_review
from archives.models import Customer, SurveyReview
from tests.builders import make_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db
STALE = "此记录已被他人修改"


def filed(world, village=None, by=None, name="赵田"):
    return make_customer(village or world.village_a, name=name, filed_by=by or world.manager_a)


def review_url(customer):
    return reverse("archives:review_survey", args=[customer.pk])


def resubmit_url(customer):
    return reverse("archives:resubmit_survey", args=[customer.pk])


def decide(client, customer, decision, note=""):
    return client.post(
        review_url(customer),
        {"decision": decision, "note": note, "version": survey_review.version_of(customer)},
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("branch_head", True),
        ("head_office", True),
        ("branch_head_2", False),
        ("section_chief", False),
        ("manager_a2", False),
    ],
)
def test_the_branch_head_or_head_office_returns_a_survey_with_a_comment(world, role, allowed):
    customer = filed(world)
    response = decide(login(getattr(world, role)), customer, "returned", "请补充家庭成员")
    assert response.status_code == (302 if allowed else 404)
    assert survey_review.status_of(Customer.objects.get(pk=customer.pk)) == (
        "returned" if allowed else "submitted"
    )


def test_return_correct_resubmit_confirm_and_the_history_keeps_every_state(world):
    customer = filed(world)
    head = login(world.branch_head)
    page = head.get(reverse("archives:survey_reviews")).text
    assert customer.get_absolute_url() in page
    decide(head, customer, "returned", "请补充家庭成员")

    author = login(world.manager_a)
    page = author.get(reverse("archives:returned_surveys")).text
    assert "请补充家庭成员" in page
    assert list(survey_review.returned_to(world.manager_a)) == [customer]
    assert list(survey_review.returned_to(world.manager_a2)) == []
    page = author.get(customer.get_absolute_url()).text
    assert resubmit_url(customer) in page
    customer = Customer.objects.get(pk=customer.pk)
    version = survey_review.version_of(customer)
    assert author.post(resubmit_url(customer), {"version": version}).status_code == 302
    assert author.post(resubmit_url(customer), {"version": version}).status_code == 302  # twice
    assert survey_review.status_of(Customer.objects.get(pk=customer.pk)) == "submitted"
    assert customer.get_absolute_url() in head.get(reverse("archives:survey_reviews")).text

    decide(head, Customer.objects.get(pk=customer.pk), "confirmed")
    page = head.get(customer.get_absolute_url()).text
    history = page.split('id="survey-history"')[1].split("</ol>")[0]
    for state in ("已提交", "退回补充", "请补充家庭成员", "已重新提交", "已确认"):
        assert state in history
    assert history.index("退回补充") < history.index("已重新提交") < history.index("已确认")
    assert SurveyReview.objects.get(customer=customer).states.filter(status="returned").count() == 1
    assert customer.get_absolute_url() not in head.get(reverse("archives:survey_reviews")).text


def test_a_rejected_survey_is_final_and_the_archive_stays(world):
    customer = filed(world)
    head = login(world.head_office)
    assert decide(head, customer, "rejected", "").status_code == 302  # a reason is required
    assert survey_review.status_of(Customer.objects.get(pk=customer.pk)) == "submitted"
    decide(head, customer, "rejected", "非本村农户")
    customer = Customer.objects.get(pk=customer.pk)
    for decision in ("confirmed", "returned"):
        decide(head, customer, decision, "改判")
    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.review.status, customer.review.note) == ("rejected", "非本村农户")
    page = head.get(customer.get_absolute_url()).text
    assert "review-survey" not in page
    assert Customer.objects.filter(pk=customer.pk).exists()  # the archive keeps the record


def test_only_a_survey_awaiting_review_is_returned_and_a_double_return_writes_once(world):
    customer = filed(world)
    head = login(world.branch_head)
    version = survey_review.version_of(customer)
    data = {"decision": "returned", "note": "补充", "version": version}
    assert head.post(review_url(customer), data).status_code == 302
    assert head.post(review_url(customer), data).status_code == 302
    assert SurveyReview.objects.get(customer=customer).states.filter(status="returned").count() == 1


def test_a_stale_review_page_is_refused(world):
    customer = filed(world)
    version = survey_review.version_of(customer)
    survey_review.review_survey(
        customer=customer,
        reviewer=world.head_office,
        decision="confirmed",
        note="",
        now=timezone.now(),
    )
    page = (
        login(world.branch_head)
        .post(
            review_url(customer),
            {"decision": "returned", "note": "补充", "version": version},
            follow=True,
        )
        .text
    )
    assert STALE in page
    assert Customer.objects.get(pk=customer.pk).review.status == "confirmed"


def test_nobody_reviews_their_own_survey_and_only_the_author_resubmits(world):
    own = filed(world, by=world.branch_head)
    assert decide(login(world.branch_head), own, "confirmed").status_code == 404
    customer = filed(world, name="钱二")
    decide(login(world.branch_head), customer, "returned", "补充")
    for role in ("manager_a2", "branch_head", "head_office"):
        assert login(getattr(world, role)).post(resubmit_url(customer)).status_code == 404


def test_imported_surveys_and_other_branches_are_not_in_the_review_list(world):
    mine = filed(world)
    imported = make_customer(world.village_a, name="导入户")
    other = filed(world, village=world.village_c, by=world.manager_c, name="孙三")
    page = login(world.branch_head).get(reverse("archives:survey_reviews")).text
    assert mine.get_absolute_url() in page
    assert imported.get_absolute_url() not in page
    assert other.get_absolute_url() not in page


def test_the_review_list_filters_by_village_and_manager(world):
    a = filed(world, name="甲户")
    b = filed(world, village=world.village_b, by=world.manager_b, name="乙户")
    client = login(world.branch_head)
    url = reverse("archives:survey_reviews")
    page = client.get(url, {"village": world.village_b.pk}).text
    assert b.get_absolute_url() in page
    assert a.get_absolute_url() not in page
    page = client.get(url, {"manager": world.manager_a.pk}).text
    assert a.get_absolute_url() in page
    assert b.get_absolute_url() not in page


def queries_for_list(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("archives:survey_reviews")).status_code == 200
    return len(captured)


def test_the_review_list_costs_the_same_queries_for_two_surveys_or_twenty(world):
    client = login(world.branch_head)
    for n in range(2):
        filed(world, name=f"户{n}")
    few = queries_for_list(client)
    for n in range(2, 20):
        filed(world, name=f"户{n}", by=world.manager_a2 if n % 2 else world.manager_a)
    assert queries_for_list(client) == few
