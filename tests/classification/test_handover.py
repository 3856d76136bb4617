"""Staff changes: a leaving manager's villages and maintained customers move in one step."""

import datetime

import pytest
from django.urls import reverse

from archives.models import Village
from classification.models import DedicatedManager, Handover, Maintainer
from tests.builders import make_customer, make_village
from tests.conftest import login

pytestmark = pytest.mark.django_db
SINCE = datetime.date(2026, 9, 1)


@pytest.fixture
def leaving(world):
    """manager_a is in charge of A村 (with manager_a2) and of a second village alone."""
    second = make_village(branch=world.branch1, name="D村", owners=[world.manager_a])
    key = make_customer(second, name="赵大户")
    shared = make_customer(world.village_a, name="钱二")
    Maintainer.objects.create(customer=key, user=world.manager_a, duty="dedicated", since=SINCE)
    DedicatedManager.objects.create(customer=key, user=world.manager_a)
    Maintainer.objects.create(customer=shared, user=world.manager_a, duty="area", since=SINCE)
    # The successor already maintains `shared` as area manager: one row stays, not two.
    Maintainer.objects.create(customer=shared, user=world.manager_b, duty="area", since=SINCE)
    world.second, world.key, world.shared = second, key, shared
    return world


def post(client, world, leaving, successor, note="调往总行"):
    return client.post(
        reverse("classification:handover", args=[world.branch1.pk]),
        {"leaving": leaving.pk, "successor": successor.pk, "note": note},
    )


def test_the_preview_says_what_would_move_and_moves_nothing(leaving):
    client = login(leaving.branch_head)
    url = reverse("classification:handover", args=[leaving.branch1.pk])
    page = client.get(
        url, {"leaving": leaving.manager_a.pk, "successor": leaving.manager_b.pk}
    ).text
    preview = page.split('id="handover-preview"', 1)[1].split("</section>", 1)[0]
    assert "A村" in preview
    assert "D村" in preview
    assert leaving.manager_a in Village.objects.get(pk=leaving.second.pk).owners.all()


def test_villages_and_maintained_customers_move_in_one_step_with_history(leaving):
    w = leaving
    response = post(login(w.branch_head), w, w.manager_a, w.manager_b)
    assert response.status_code == 302
    for village in (w.village_a, w.second):
        owners = set(Village.objects.get(pk=village.pk).owners.values_list("username", flat=True))
        assert "manager_a" not in owners
        assert "manager_b" in owners
    # manager_a2 stays in charge of A村 beside the successor.
    assert w.manager_a2 in Village.objects.get(pk=w.village_a.pk).owners.all()
    assert DedicatedManager.objects.get(customer=w.key).user == w.manager_b
    rows = set(Maintainer.objects.values_list("customer__name", "user__username", "duty", "since"))
    assert rows == {
        ("赵大户", "manager_b", "dedicated", SINCE),  # the duty keeps its start
        ("钱二", "manager_b", "area", SINCE),
    }
    done = Handover.objects.get()
    assert (done.leaving, done.successor, done.customers, done.done_by) == (
        w.manager_a,
        w.manager_b,
        2,
        w.branch_head,
    )
    assert sorted(name for _pk, name in done.villages) == ["A村", "D村"]
    # The village's owner history records the change.
    assert Village.objects.get(pk=w.second.pk).history.count() >= 2
    page = login(w.head_office).get(reverse("classification:handover", args=[w.branch1.pk])).text
    table = page.split('id="handovers"', 1)[1]
    assert "调往总行" in table


def test_a_second_submit_says_there_is_nothing_left_and_never_fails(leaving):
    w = leaving
    client = login(w.branch_head)
    post(client, w, w.manager_a, w.manager_b)
    response = post(client, w, w.manager_a, w.manager_b)
    assert response.status_code == 200
    assert "没有可交接" in response.text
    assert Handover.objects.count() == 1


@pytest.mark.parametrize(
    ("leaving_name", "successor_name"),
    [
        ("manager_a", "manager_a"),  # to oneself
        ("manager_a", "manager_c"),  # to another branch's manager
        ("manager_c", "manager_b"),  # someone of another branch leaving
    ],
)
def test_a_handover_outside_the_branch_or_to_oneself_is_refused(
    leaving, leaving_name, successor_name
):
    w = leaving
    response = post(login(w.branch_head), w, getattr(w, leaving_name), getattr(w, successor_name))
    assert response.status_code == 200
    assert Handover.objects.count() == 0
    assert w.manager_a in Village.objects.get(pk=w.second.pk).owners.all()


def test_another_branchs_head_gets_a_404(leaving):
    w = leaving
    response = post(login(w.branch_head_2), w, w.manager_a, w.manager_b)
    assert response.status_code == 404
    assert Handover.objects.count() == 0
