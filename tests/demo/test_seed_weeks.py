"""seed_demo --weeks N: N confirmed weeks per branch with their revisits, this week proposed,
and follow-up rows that say what the history says."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Max

from archives.models import Branch, Customer
from classification import followup
from classification.models import FollowUp, Visit, Week
from demo import county


@pytest.fixture(autouse=True)
def demo_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_four_weeks_are_confirmed_with_their_revisits_and_this_week_proposed():
    output = seed(scale="120", weeks=4)
    branches = Branch.objects.count()
    assert Week.objects.filter(status=Week.Status.CONFIRMED).count() == 4 * branches
    assert Week.objects.filter(status=Week.Status.PROPOSED).count() == branches
    visits = Visit.objects.count()
    assert visits > 0
    assert f"{5 * branches} 个分层周({visits} 次回访)" in output
    assert not Visit.objects.filter(visited_on__gt=county.REFERENCE_DATE).exists()
    assert not Visit.objects.filter(visited_on__lt=F("customer__archived_on")).exists()
    # Revisits spread over the weeks, not one day.
    assert Visit.objects.values("visited_on").distinct().count() >= 4 * 3


@pytest.mark.django_db
def test_the_kept_follow_up_rows_equal_a_recomputation_from_the_whole_history():
    seed(scale="120", weeks=3)
    kept = {
        row.customer_id: (row.tier, row.rank, row.week_id, row.since, row.last_visit)
        for row in FollowUp.objects.all()
    }
    last = dict(
        Visit.objects.values_list("customer_id").annotate(last=Max("visited_on")).order_by()
    )
    assert last, "the demo wrote no visits"
    assert all(kept[pk][4] == day for pk, day in last.items())
    FollowUp.objects.all().delete()
    followup.refresh(Customer.objects.all())
    again = {
        row.customer_id: (row.tier, row.rank, row.week_id, row.since, row.last_visit)
        for row in FollowUp.objects.all()
    }
    assert kept == again


@pytest.mark.parametrize("weeks", [0, 261])
@pytest.mark.django_db
def test_the_number_of_weeks_is_bounded(weeks):
    with pytest.raises(CommandError, match="--weeks"):
        seed(scale="120", weeks=weeks)
