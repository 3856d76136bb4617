"""The access log of personal data: full IDs viewed, exports, number searches, failed logins.

Before, none of these left a record. Each now writes one append-only row (who, which
customer, what, from which address, when), and head office searches them on one page.
"""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archives.audit import AccessAction, AppendOnly, PersonalDataAccess, record_access
from tests.conftest import login

pytestmark = pytest.mark.django_db


def only_row(**filters):
    rows = list(PersonalDataAccess.objects.filter(**filters))
    assert len(rows) == 1, rows
    return rows[0]


def test_the_customer_page_with_the_full_id_writes_who_saw_it(world):
    login(world.manager_a).get(world.customer_a.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    row = only_row(action=AccessAction.FULL_ID_VIEWED)
    assert row.user == world.manager_a
    assert row.customer == world.customer_a
    assert row.address == "10.1.2.3"
    assert row.at is not None


def test_a_page_out_of_scope_writes_nothing(world):
    response = login(world.manager_c).get(world.customer_a.get_absolute_url())
    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(
    ("url_of", "expected_count"),
    [
        (lambda w: reverse("archives:village_export", args=[w.village_a.pk]), 1),
        (lambda w: reverse("archives:branch_export", args=[w.branch1.pk]), 2),
    ],
)
def test_an_export_writes_one_row_with_the_number_of_customers(world, url_of, expected_count):
    response = login(world.branch_head).post(url_of(world), REMOTE_ADDR="10.1.2.4")
    assert response.status_code == 302  # to the export's job, which wrote the row when done
    row = only_row(action=AccessAction.EXPORTED)
    assert row.user == world.branch_head
    assert f"{expected_count}" in row.detail
    assert row.address == "10.1.2.4"


def test_a_failed_login_is_written_with_the_name_typed_and_the_address(world, client):
    response = client.post(
        reverse("login"),
        {"username": "manager_a", "password": "wrong-password"},
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 200
    row = only_row(action=AccessAction.LOGIN_FAILED)
    assert row.username == "manager_a"
    assert row.user == world.manager_a
    assert row.address == "10.9.8.7"

    client.post(reverse("login"), {"username": "nobody-here", "password": "x"})
    unknown = only_row(action=AccessAction.LOGIN_FAILED, username="nobody-here")
    assert unknown.user is None


def test_rows_are_never_changed_or_deleted_through_the_orm(world):
    row = record_access(action=AccessAction.SEARCHED, now=timezone.now(), user=world.manager_a)
    row.detail = "changed"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    with pytest.raises(AppendOnly):
        PersonalDataAccess.objects.filter(pk=row.pk).update(detail="changed")
    with pytest.raises(AppendOnly):
        PersonalDataAccess.objects.filter(pk=row.pk).delete()
    assert PersonalDataAccess.objects.get(pk=row.pk).detail == ""


def test_on_postgresql_the_database_refuses_update_and_delete_too(world):
    """SQLite (development) has only the model's refusal; PostgreSQL has a trigger behind it."""
    row = record_access(action=AccessAction.SEARCHED, now=timezone.now(), user=world.manager_a)
    table = PersonalDataAccess._meta.db_table
    for sql in (
        f"UPDATE {table} SET detail = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        refused = False
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [row.pk])
        except DatabaseError:
            refused = True
        assert refused == (connection.vendor == "postgresql"), sql
    if connection.vendor == "postgresql":
        assert PersonalDataAccess.objects.get(pk=row.pk).detail == ""


def test_the_detail_never_holds_a_full_id_number_or_mobile(world):
    number = world.customer_a.id_number
    row = record_access(
        action=AccessAction.SEARCHED,
        now=timezone.now(),
        user=world.manager_a,
        detail=f"{number} 13812345678",
    )
    assert number not in row.detail
    assert "13812345678" not in row.detail
    assert number[:6] in row.detail


@pytest.fixture
def log_rows(world):
    """Rows of three kinds over three days, by two people, about two customers."""
    base = timezone.now().replace(hour=12)
    made = []
    for days_ago, user, customer, action in [
        (0, world.manager_a, world.customer_a, AccessAction.FULL_ID_VIEWED),
        (1, world.manager_a, None, AccessAction.SEARCHED),
        (2, world.branch_head, world.customer_b, AccessAction.FULL_ID_VIEWED),
        (2, world.branch_head, None, AccessAction.EXPORTED),
    ]:
        made.append(
            record_access(
                action=action,
                now=base - datetime.timedelta(days=days_ago),
                user=user,
                customer=customer,
            )
        )
    return made


def listed(client, **params):
    response = client.get(reverse("archives:access_log"), params)
    assert response.status_code == 200
    return response.context["page"]


def test_head_office_searches_the_log_by_person_customer_action_and_dates(world, log_rows):
    client = login(world.head_office)
    assert listed(client).paginator.count == 4
    assert listed(client, user=world.branch_head.pk).paginator.count == 2
    assert listed(client, customer=world.customer_b.pk).paginator.count == 1
    assert listed(client, action=AccessAction.FULL_ID_VIEWED).paginator.count == 2
    today = timezone.localdate(log_rows[0].at)
    yesterday = today - datetime.timedelta(days=1)
    # Both ends of the date range are inclusive.
    assert listed(client, since=yesterday.isoformat()).paginator.count == 2
    assert listed(client, until=yesterday.isoformat()).paginator.count == 3
    assert (
        listed(client, since=yesterday.isoformat(), until=yesterday.isoformat()).paginator.count
        == 1
    )
    page = client.get(reverse("archives:access_log")).text
    assert world.customer_a.name in page


def test_an_end_date_before_the_start_lists_nothing_and_says_why(world, log_rows):
    client = login(world.head_office)
    response = client.get(
        reverse("archives:access_log"), {"since": "2026-11-05", "until": "2026-11-01"}
    )
    assert response.context["page"].paginator.count == 0
    assert "结束日期早于开始日期" in response.text


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_log_page_queries_do_not_grow_with_rows_and_it_pages(world):
    client = login(world.head_office)
    url = reverse("archives:access_log")

    def add(n):
        for _ in range(n):
            record_access(
                action=AccessAction.FULL_ID_VIEWED,
                now=timezone.now(),
                user=world.manager_a,
                customer=world.customer_a,
            )

    add(3)
    few = _queries(client, url)
    add(120)
    many = _queries(client, url)
    assert few == many
    page = client.get(url).context["page"]
    assert page.paginator.num_pages == 3
    assert len(client.get(url, {"page": 3}).context["page"].object_list) == 23
