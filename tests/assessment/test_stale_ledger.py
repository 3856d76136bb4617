"""Two people correct one ledger line: the stale correction is refused; a line added twice at once."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from archives.models import Role
from assessment import ledger
from assessment.models.ledger import LedgerEntry, LedgerKind
from tests.assessment.test_ledger import manual
from tests.builders import make_user
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db

STALE = "此记录已被他人修改"
NOVEMBER = datetime.date(2026, 11, 1)
NOW = datetime.datetime(2026, 12, 5, 9, tzinfo=datetime.UTC)


def a_line(world, **fields):
    return LedgerEntry.objects.create(
        person=world.manager_a,
        month=NOVEMBER,
        kind=LedgerKind.FIXED_DEPOSIT,
        amount=Decimal("20000"),
        source=LedgerEntry.Source.IMPORT,
        created_at=NOW,
        **fields,
    )


def test_a_stale_correction_is_refused_and_the_first_stays(world):
    entry = a_line(world)
    first = login(world.head_office)
    second = login(make_user(Role.HEAD_OFFICE, username="head_office_2"))
    url = reverse("assessment:ledger_correct", args=[entry.pk])
    data_first = posted(first.get(url).context["form"])
    data_second = posted(second.get(url).context["form"])

    data_first.update(amount="25000", reason="金额录错")
    assert first.post(url, data_first).status_code == 302
    data_second.update(amount="30000", reason="补录")
    response = second.post(url, data_second)

    assert response.status_code == 409
    assert STALE in response.text
    differences = {d.label: (d.theirs, d.yours) for d in response.context["stale"].differences}
    assert differences["金额（元）"] == ("25000.00", "30000.00")
    assert 'value="30000"' in response.text  # the input is kept
    entry.refresh_from_db()
    assert (entry.amount, entry.reason) == (Decimal("25000"), "金额录错")


def test_a_re_import_meanwhile_makes_the_correction_stale(world):
    entry = a_line(world)
    client = login(world.head_office)
    url = reverse("assessment:ledger_correct", args=[entry.pk])
    data = posted(client.get(url).context["form"])
    LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("21000"))
    data.update(amount="30000", reason="补录")
    assert client.post(url, data).status_code == 409
    entry.refresh_from_db()
    assert entry.amount == Decimal("21000")


def test_the_second_of_two_lines_checked_at_once_gets_the_one_line_message(world):
    """Both forms passed the one-line-per-item check before either was saved."""
    today = datetime.date(2026, 12, 5)
    forms = [ledger.ManualLineForm(manual(world.manager_a), today=today) for _ in range(2)]
    assert all(form.is_valid() for form in forms)
    ledger.save_by_hand(form=forms[0], user=world.head_office, now=NOW)
    with pytest.raises(ledger.LineExists) as refused:
        ledger.save_by_hand(form=forms[1], user=world.head_office, now=NOW)
    assert "已有" in str(refused.value)
    assert LedgerEntry.objects.count() == 1
