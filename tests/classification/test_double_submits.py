"""Tier proposals and overrides sent at the same moment answer with a page, never a 500."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classification import services
from classification.models import Override, Proposal
from tests.builders import PASSWORD, login_request, stamp_login

MONDAY = datetime.date(2026, 11, 23)


def at_once(posts):
    """Run each (user, url, data) in its own thread and connection, released together."""
    start = threading.Barrier(len(posts))
    responses = [None] * len(posts)

    def send(i, user, url, data):
        try:
            client = Client(raise_request_exception=False)
            client.login(request=login_request(), username=user.username, password=PASSWORD)
            stamp_login(client)
            start.wait()
            responses[i] = client.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.django_db(transaction=True)
def test_proposals_for_one_customer_sent_at_once_leave_one_pending_and_no_500(world):
    week = services.run_week(branch=world.branch1, today=MONDAY, now=timezone.now())
    url = reverse("classification:propose", args=[week.pk, world.customer_a.pk])
    posts = [
        (user, url, {"tier": "cultivation", "reason": f"理由{i}"})
        for i, user in enumerate([world.manager_a, world.manager_a2] * 2)
    ]

    responses = at_once(posts)

    assert [r.status_code for r in responses] == [302] * 4
    assert Proposal.objects.filter(customer=world.customer_a, status="pending").count() == 1


@pytest.mark.django_db(transaction=True)
def test_overrides_for_one_customer_sent_at_once_leave_one_active_and_no_500(world):
    week = services.run_week(branch=world.branch1, today=MONDAY, now=timezone.now())
    url = reverse("classification:override", args=[week.pk, world.customer_a.pk])
    posts = [
        (world.branch_head, url, {"tier": "key_follow_up", "reason": f"行长决定{i}"})
        for i in range(4)
    ]

    responses = at_once(posts)

    assert [r.status_code for r in responses] == [302] * 4
    assert Override.objects.filter(customer=world.customer_a, lifted_at=None).count() == 1


@pytest.mark.django_db
def test_a_proposal_meeting_another_pending_one_gets_a_chinese_message(world, monkeypatch):
    """The second of two proposals found nothing to replace (the race), then met the first."""
    services.propose_tier(
        customer=world.customer_a,
        tier="cultivation",
        reason="甲",
        user=world.manager_a,
        now=timezone.now(),
    )
    nothing_to_replace = Proposal.objects.none()
    monkeypatch.setattr(
        services.Proposal.objects, "filter", lambda **kw: nothing_to_replace, raising=False
    )
    with pytest.raises(services.DecidedMeanwhile) as refused:
        services.propose_tier(
            customer=world.customer_a,
            tier="periodic_revisit",
            reason="乙",
            user=world.manager_a2,
            now=timezone.now(),
        )
    assert "他人刚刚" in str(refused.value)
