"""The search box finds the last four characters of an ID number or a mobile: what the
masked lists show (****1234), kept in indexed suffix columns by every write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archives.models import Customer
from tests.archives.test_import import row, run, xlsx
from tests.builders import make_customer, resident_id
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return {
        "phone ends 1234": make_customer(world.village_a, name="尾号甲", phone="13900001234"),
        "1234 inside the phone": make_customer(world.village_a, name="中间乙", phone="13912340000"),
        "ID starts 1234": make_customer(
            world.village_a, name="开头丙", id_number=resident_id(region="123401")
        ),
        "ID ends X": make_customer(world.village_a, name="尾X丁", id_number="42112219900101001X"),
        "other": make_customer(world.village_a, name="其他戊", phone="13700009999"),
    }


def searched(client, q):
    """Post the search box as the page does; the result page's customers, and its queries."""
    response = client.post("/customers/", {"q": q})
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as queries:
        page = client.get(response["Location"])
    assert page.status_code == 200
    return {c.name for c in page.context["page"].object_list}, len(queries), page.text


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("1234", {"尾号甲", "开头丙"}),  # the phone's last four, and an ID's first four
        ("9999", {"其他戊"}),
        ("001x", {"尾X丁"}),  # an ID's last four with its X, typed in either case
        ("001X", {"尾X丁"}),
        ("234", set()),  # three digits: a prefix only, never a suffix
        ("01234", set()),  # five: a prefix only
        ("12340000", set()),  # digits inside a number are not searched
    ],
)
def test_four_characters_find_the_ends_of_ids_and_mobiles_besides_prefixes(
    world, people, q, expected
):
    found, _queries, _text = searched(login(world.manager_a), q)
    assert found == expected


def test_the_last_four_of_any_id_on_the_masked_list_find_it(world, people):
    target = people["ID starts 1234"]
    found, _queries, text = searched(login(world.manager_a), target.id_number[-4:])
    assert target.name in found
    assert target.masked_id in text  # the list shows the digits that were searched
    assert target.id_number not in text


def test_a_suffix_search_stays_in_the_users_scope(world, people):
    make_customer(world.village_b, name="别村", phone="13800001234")
    found, _queries, _text = searched(login(world.manager_a), "1234")
    assert "别村" not in found


def test_the_query_count_of_a_suffix_search_is_pinned(world, people):
    client = login(world.manager_a)
    _found, by_name, _text = searched(client, "尾号")
    _found, by_prefix, _text = searched(client, "13900")
    _found, by_suffix, _text = searched(client, "1234")
    for n in range(10):
        make_customer(world.village_a, name=f"更多{n}", phone="13500001234")
    found, more, _text = searched(client, "1234")
    assert len(found) == 12
    assert by_suffix == by_prefix == by_name == more


def test_the_suffixes_follow_an_edit_of_the_id_or_mobile(world, people):
    customer = people["other"]
    customer.phone = "13700005555"
    customer.save(update_fields=["phone"])
    client = login(world.manager_a)
    assert searched(client, "5555")[0] == {"其他戊"}
    assert searched(client, "9999")[0] == set()


def test_the_archive_import_keeps_the_suffixes_on_create_and_update(world, people):
    number = resident_id("19750315")
    new = row(world.village_a, name="新导入", id_number=number, phone="13600004321")
    moved = row(
        world.village_a,
        name="尾号甲",
        id_number=people["phone ends 1234"].id_number,
        phone="13600008765",
    )
    result = run(xlsx([new, moved]), user=world.head_office)
    assert result.written, result.problems
    client = login(world.manager_a)
    assert searched(client, "4321")[0] == {"新导入"}
    assert searched(client, number[-4:])[0] >= {"新导入"}
    assert searched(client, "8765")[0] == {"尾号甲"}
    assert "尾号甲" not in searched(client, "1234")[0]


@pytest.mark.postgresql
def test_a_suffix_search_uses_the_suffix_indexes_on_postgresql(world, people):
    # The search's own condition, unordered: on a table this small the planner would
    # rather scan the name index for the page's order. With plain scans off, only a
    # bitmap scan remains, and it exists only if every branch of the OR has an index.
    found = Customer.objects.search("1234").order_by().values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        sql, params = found.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "customer_id_last4" in plan, plan
    assert "customer_phone_last4" in plan, plan
    assert "Seq Scan" not in plan, plan
