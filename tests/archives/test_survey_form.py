"""Filing and editing survey forms through the pages: validation, family rows, history."""

import pytest
from django.urls import reverse

from archives.models import Customer, CustomerType, FamilyMember
from tests.builders import credit_code, resident_id, wrong_check_digit
from tests.conftest import login

pytestmark = pytest.mark.django_db


def household_post(**overrides):
    data = {
        "type": "household",
        "name": "赵大海",
        "id_number": resident_id("19750315"),
        "phone": "138 1234 5678",
        # The world's 王大山 has this mobile too: the user has seen the warning (dupes).
        "not_a_duplicate": "on",
        "credit_record": "good",
        "main_income": "farming",
        "household_income": "60000",
        "household_expenses": "30000",
        "deposit_balance": "0",
        "loan_balance": "0",
        "credit_need": "0",
        "appointed_deposit": "0",
        "appointed_loan": "0",
        "form_collected": "on",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "30",
    }
    data.update(overrides)
    return data


def with_members(data, *members):
    data = dict(data)
    data["members-TOTAL_FORMS"] = str(len(members))
    for i, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{i}-{key}"] = value
    return data


def test_household_with_two_members_is_filed_with_birth_date_from_the_id(world):
    client = login(world.manager_a)
    url = reverse("archives:customer_create", args=[world.village_a.pk])
    data = with_members(
        household_post(),
        {"name": "钱小红", "relation": "spouse", "id_number": resident_id("19780601"), "phone": ""},
        {"name": "赵小海", "relation": "child", "works_away": "on", "away_location": "武汉"},
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    customer = Customer.objects.get(name="赵大海")
    assert customer.birth_date.isoformat() == "1975-03-15"
    assert customer.phone == "13812345678"
    assert customer.filed_by == world.manager_a
    assert customer.members.count() == 2
    page = client.get(customer.get_absolute_url())
    assert "钱小红" in page.text
    assert "武汉" in page.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", wrong_check_digit(resident_id("19880101")), "校验位"),
        ("id_number", resident_id("20300101"), "未来"),
        ("id_number", "42112219880101", "18"),
        ("household_income", "-1", "不能为负数"),
        ("phone", "13812345678901234567", "11"),
        ("phone", "12812345678", "11"),
    ],
    ids=[
        "wrong check digit",
        "birth date in future",
        "short ID",
        "negative income",
        "20-digit phone",
        "bad prefix",
    ],
)
def test_bad_input_gets_a_chinese_message_and_nothing_is_saved(world, field, value, message):
    client = login(world.manager_a)
    before = Customer.objects.count()
    response = client.post(
        reverse("archives:customer_create", args=[world.village_a.pk]),
        household_post(**{field: value}),
    )
    assert response.status_code == 200
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert "未保存" in response.text
    assert Customer.objects.count() == before


def test_duplicate_id_is_refused_with_a_link_to_the_existing_customer(world):
    client = login(world.manager_a)
    response = client.post(
        reverse("archives:customer_create", args=[world.village_a.pk]),
        household_post(id_number=world.customer_a.id_number),
    )
    assert response.status_code == 200
    assert world.customer_a.get_absolute_url() in response.text
    assert Customer.objects.filter(id_number=world.customer_a.id_number).count() == 1


@pytest.mark.parametrize(
    ("role", "village", "holder"),
    [
        ("manager_c", "village_c", "customer_a"),  # a manager of another branch
        ("manager_a", "village_a", "customer_b"),  # same branch, a village not theirs
        ("branch_head_2", "village_c", "customer_b"),  # the head of another branch
    ],
)
def test_duplicate_id_out_of_scope_says_only_ask_head_office(world, role, village, holder):
    """DOMAIN.md §7: nothing of the record, not its name, village or that it is a customer."""
    existing = getattr(world, holder)
    response = login(getattr(world, role)).post(
        reverse("archives:customer_create", args=[getattr(world, village).pk]),
        household_post(id_number=existing.id_number),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["id_number"]
    assert errors == ["已在其他网点建档，请联系总行"]
    for leak in (existing.get_absolute_url(), existing.name, existing.village.name):
        assert leak not in response.text
    assert Customer.objects.filter(id_number=existing.id_number).count() == 1


def test_duplicate_id_in_the_branch_heads_scope_links_to_the_record(world):
    response = login(world.branch_head).post(
        reverse("archives:customer_create", args=[world.village_a.pk]),
        household_post(id_number=world.customer_b.id_number),
    )
    assert world.customer_b.get_absolute_url() in response.text
    assert "B村" in response.text


def test_a_bad_family_row_saves_neither_customer_nor_members(world):
    client = login(world.manager_a)
    data = with_members(
        household_post(),
        {"name": "钱小红", "relation": "spouse", "id_number": wrong_check_digit(resident_id())},
    )
    response = client.post(reverse("archives:customer_create", args=[world.village_a.pk]), data)
    assert response.status_code == 200
    assert not Customer.objects.filter(name="赵大海").exists()
    assert not FamilyMember.objects.filter(name="钱小红").exists()


def test_cooperative_needs_a_valid_credit_code(world):
    client = login(world.manager_a)
    url = reverse("archives:customer_create", args=[world.village_a.pk])
    base = {
        "type": "cooperative",
        "name": "红安县茶叶专业合作社",
        "credit_record": "none",
        "member_count": "35",
        "registered_capital": "500000",
        "operating_income": "0",
        "deposit_balance": "0",
        "loan_balance": "0",
        "credit_need": "0",
        "appointed_deposit": "0",
        "appointed_loan": "0",
    }
    bad = client.post(url, {**base, "credit_code": "93421122MA0000001X"})
    assert bad.status_code == 200
    assert "统一社会信用代码" in bad.text
    good = client.post(url, {**base, "credit_code": credit_code()})
    assert good.status_code == 302
    coop = Customer.objects.get(name="红安县茶叶专业合作社")
    assert coop.customer_type == CustomerType.COOPERATIVE
    assert coop.member_count == 35


def test_an_edit_shows_in_the_history_with_who_and_old_and_new(world):
    client = login(world.manager_a)
    customer = world.customer_a
    edit = client.get(reverse("archives:customer_edit", args=[customer.pk]))
    assert edit.status_code == 200
    data = household_post(name=customer.name, id_number=customer.id_number, phone="13900002222")
    response = client.post(reverse("archives:customer_edit", args=[customer.pk]), data)
    assert response.status_code == 302
    page = client.get(customer.get_absolute_url())
    history = page.text.split('id="history"')[1]
    assert "139****2222" in history
    assert "138****5678" in history
    assert "manager_a" in history
