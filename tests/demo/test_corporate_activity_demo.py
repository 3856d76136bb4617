"""seed_demo's contacts, visits and work diaries (demo/corporate_activity.py): the pages of
§5.4 have content, with overdue items and diary gaps, and the same data every time."""

import datetime

import pytest

from archives.models import Branch, Role, User
from credit.cadences import cadence_compliance, obligations_for
from credit.diary import diary_gaps
from credit.models import Activity, DiaryEntry
from demo import county

pytestmark = pytest.mark.django_db
ON = county.REFERENCE_DATE + datetime.timedelta(days=33)


@pytest.fixture
def seeded(demo_county, db, settings):
    demo_county.use(settings)
    return demo_county.output


def test_every_kind_is_logged_and_diaries_kept_with_gaps(seeded):
    assert set(Activity.objects.values_list("kind", flat=True)) == {
        "contact", "visit", "joint_visit", "analysis_meeting", "salon", "progress_meeting"
    }  # fmt: skip
    assert DiaryEntry.objects.count() > 1000
    branch = Branch.objects.order_by("code").first()
    gaps = diary_gaps(branch, ON.replace(day=1) - datetime.timedelta(days=30), ON)
    assert any(gaps.values())
    assert not all(len(days) > 10 for days in gaps.values())
    assert "次联系拜访" in seeded


def test_the_cadence_pages_show_met_due_and_overdue(seeded):
    deputy = User.objects.filter(role=Role.DEPUTY_HEAD).order_by("username")
    owed = obligations_for(deputy, ON)
    assert any(o.met for o in owed)
    assert any(o.overdue for o in owed)
    assert any(o.due for o in owed)
    figures = cadence_compliance(Branch.objects.all(), ON)
    shares = [f.total.last_share for f in figures.values() if f.total.obligations]
    assert shares
    assert all(0 < s < 1 for s in shares)
