"""The customer list's search box: names anywhere in the name, numbers by prefix.

On PostgreSQL a name search goes through the GIN index of the name's characters
first (migration 0007); the results must be exactly those of a plain "contains".
"""

import pytest

from archives.models import CustomerType
from tests.builders import make_customer
from tests.conftest import login

NAMES = ["王大山", "张三", "张三丰", "大山王", "王王", "李四", "山大"]


@pytest.fixture
def customers(world):
    made = {name: make_customer(world.village_a, name=name) for name in NAMES}
    made["湖北红安农业合作社"] = make_customer(
        world.village_a,
        name="湖北红安农业合作社",
        customer_type=CustomerType.COOPERATIVE,
        credit_code="93421122MA4F0A1B2C",
        phone="13900001111",
    )
    return made


def listed(client, q) -> set[str]:
    # The search box posts; its results page is at an address with an opaque key.
    response = client.post("/customers/", {"q": q}, follow=True)
    assert response.status_code == 200
    return {c.name for c in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("张", {"张三", "张三丰"}),  # one character: anywhere in the name
        ("山", {"王大山", "大山王", "山大"}),
        ("大山", {"王大山", "大山王"}),  # two characters in this order only, not 山大
        ("山大", {"山大"}),
        ("王王", {"王王"}),  # a character twice needs it twice
        ("王", {"王大山", "大山王", "王王"}),
        ("三丰", {"张三丰"}),
        ("合作社", {"湖北红安农业合作社"}),
        ("  李四  ", {"李四"}),  # surrounding spaces are ignored
        ("赵", set()),
        ("张四", set()),  # both characters occur in names, never together
        ("93421122", {"湖北红安农业合作社"}),  # credit code prefix (digits)
        ("1390000", {"湖北红安农业合作社"}),  # phone prefix
        ("21122", set()),  # numbers match from the start only (IDs and codes hold 21122)
        ("", set(NAMES) | {"湖北红安农业合作社"}),
    ],
)
def test_search_finds_names_anywhere_and_numbers_by_prefix(world, customers, q, expected):
    client = login(world.manager_a)
    assert listed(client, q) == expected


def test_id_number_prefix_with_a_final_x(world, customers):
    make_customer(world.village_a, name="赵六", id_number="42112219900101001X")
    client = login(world.manager_a)
    assert listed(client, "42112219900101001x") == {"赵六"}
    assert listed(client, "4211221990") >= {"赵六"}


@pytest.mark.parametrize(
    ("extra", "heading", "rows", "narrow_down"),
    [
        (0, "3", 3, False),  # below the cap: the exact count
        (1, "4", 4, False),  # at the cap: still exact
        (2, "超过 4 户", 4, True),  # above: "more than", the first 4 only, and a hint
    ],
)
def test_the_total_is_counted_up_to_a_cap(world, monkeypatch, extra, heading, rows, narrow_down):
    monkeypatch.setattr("archives.pagination.COUNT_CAP", 4)
    for n in range(extra):
        make_customer(world.village_a, name=f"王{n}")
    client = login(world.head_office)
    response = client.get("/customers/")
    html = response.content.decode()
    assert f'<small class="muted">{heading}</small>' in html
    assert len(response.context["page"].object_list) == rows
    assert ("请搜索或选择客户类型缩小范围" in html) is narrow_down
