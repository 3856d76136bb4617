"""seed_demo's large fund movements (demo/movements.py): today's notice has items above the
threshold, a cross-bank outflow needing a follow-up, one followed up, one overdue, and
key village customers' movements."""

import datetime

import pytest
from django.utils import timezone

from archives import movement_rules
from archives.models import Branch, Movement
from classification.models import FollowUp
from credit.movements import movement_followups

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo_county, db, settings):
    demo_county.use(settings)
    return demo_county.output


def test_the_demo_has_movements_on_both_sides_of_every_threshold(seeded):
    today = timezone.localdate()
    start, end = movement_rules.notice_window(today)
    t = movement_rules.Thresholds()
    todays = Movement.objects.filter(date__range=(start, end))
    assert any(movement_rules.on_notice(m.amount, t) for m in todays)
    assert todays.filter(amount=t.notice_above).exists()
    figures = movement_followups(
        Branch.objects.all(), start - datetime.timedelta(days=30), end, today
    )
    needed, recorded, overdue = (sum(v[k] for v in figures.values()) for k in range(3))
    assert needed > recorded > 0
    assert overdue > 0
    key = Movement.objects.filter(customer__follow_up__tier="key_follow_up")
    assert key.filter(amount__gte=t.village_from).exists()
    assert key.filter(amount__lt=t.village_from).exists()
    assert FollowUp.objects.filter(tier="key_follow_up").exists()
    assert "笔资金流水" in seeded
