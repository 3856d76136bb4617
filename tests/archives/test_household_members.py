"""The household form checks its family members against its head: one 户主, ages that fit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from archives.models import Customer, FamilyMember
from tests.archives.test_survey_form import household_post, with_members
from tests.builders import make_member, resident_id
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db

MALE, FEMALE = 1, 2  # the order code's last digit: odd for men, even for women
HEAD_BORN = "19750315"  # household_post's head: a man (the builder's order code varies)


def born(years, days=0):
    """The birth date (YYYYMMDD) of someone `years` old today, `days` from their birthday:
    days=0 is the birthday itself, days=1 the birthday tomorrow (so a year younger)."""
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return (day + datetime.timedelta(days=days)).strftime("%Y%m%d")


def member(name, relation, birth=None, sex=MALE):
    row = {"name": name, "relation": relation, "phone": ""}
    if birth:
        row["id_number"] = resident_id(birth, order=100 + sex)
    return row


def file(world, *members, head_birth=HEAD_BORN, head_sex=MALE):
    data = household_post(id_number=resident_id(head_birth, order=200 + head_sex))
    return login(world.manager_a).post(
        reverse("archives:customer_create", args=[world.village_a.pk]),
        with_members(data, *members),
    )


def row_errors(response):
    members = response.context["members"]
    return {i + 1: " ".join(f.errors.get("relation", [])) for i, f in enumerate(members.forms)}


def test_a_fitting_family_is_filed(world):
    response = file(
        world,
        member("钱小红", "spouse", "19780601", FEMALE),
        member("赵小海", "child", "20010910"),
        member("赵老汉", "parent", "19480101"),
        member("赵小宝", "grandchild", "20240101"),
        member("赵无证", "child"),  # no ID number: no birth date, nothing to check
    )
    assert response.status_code == 302
    assert Customer.objects.get(name="赵大海").members.count() == 5


def test_a_member_marked_head_is_a_second_head_with_the_row_named(world):
    response = file(world, member("钱小红", "spouse", "19780601", FEMALE), member("赵二", "head"))
    assert response.status_code == 200
    errors = row_errors(response)
    assert errors[1] == ""
    assert "第 2 行（赵二）" in errors[2]
    assert "户主" in errors[2]
    assert "未保存" in response.text
    summary = response.text.split('<a href="#members">')[1].split("</div>")[0]
    assert "第 2 行（赵二）" in summary
    assert "第 1 行" not in summary
    assert not Customer.objects.filter(name="赵大海").exists()
    assert not FamilyMember.objects.filter(name="钱小红").exists()


@pytest.mark.parametrize(
    ("years", "days", "sex", "refused"),
    [
        (22, 0, MALE, False),  # his 22nd birthday: of age (inclusive)
        (22, 1, MALE, True),  # 22 tomorrow: 21 today
        (20, 0, FEMALE, False),
        (20, 1, FEMALE, True),
        (21, 0, MALE, True),  # a man of 21 is under age even if a woman of 21 is not
        (21, 0, FEMALE, False),
        (11, 0, FEMALE, True),  # the 11-year-old spouse
    ],
    ids=[
        "man on his 22nd birthday",
        "man a day short of 22",
        "woman on her 20th birthday",
        "woman a day short of 20",
        "man of 21",
        "woman of 21",
        "girl of 11",
    ],
)
def test_a_spouse_is_of_legal_marriage_age(world, years, days, sex, refused):
    response = file(world, member("钱小红", "spouse", born(years, days), sex))
    if refused:
        assert response.status_code == 200
        assert "法定婚龄" in row_errors(response)[1]
        assert "第 1 行（钱小红）" in row_errors(response)[1]
        assert not Customer.objects.filter(name="赵大海").exists()
    else:
        assert response.status_code == 302


def test_a_head_under_marriage_age_has_no_spouse(world):
    response = file(
        world, member("钱小红", "spouse", "19780601", FEMALE), head_birth=born(19), head_sex=MALE
    )
    assert response.status_code == 200
    assert "户主" in row_errors(response)[1]
    assert "法定婚龄" in row_errors(response)[1]


@pytest.mark.parametrize(
    ("relation", "birth", "refused"),
    [
        ("parent", "19750314", False),  # a day older than the head
        ("parent", "19750315", True),  # born the same day
        ("parent", "19800101", True),  # younger
        ("child", "19750316", False),  # a day younger
        ("child", "19750315", True),
        ("child", "19700101", True),  # older than the head
        ("grandchild", "19750316", False),
        ("grandchild", "19750315", True),
        ("grandchild", "19600101", True),
    ],
)
def test_parents_are_older_and_children_and_grandchildren_younger(world, relation, birth, refused):
    response = file(world, member("某人", relation, birth))
    if refused:
        assert response.status_code == 200
        message = row_errors(response)[1]
        assert "第 1 行（某人）" in message
        assert "1975-03-15" in message
    else:
        assert response.status_code == 302, row_errors(response)


def test_every_wrong_row_gets_its_own_message_and_a_deleted_row_is_not_checked(world):
    customer = world.customer_a
    old = make_member(customer, name="旧户主", relation="head")
    client = login(world.manager_a)
    url = reverse("archives:customer_edit", args=[customer.pk])
    page = client.get(url)
    data = posted(page.context["form"], page.context["members"])
    data["members-0-DELETE"] = "on"  # the row saying 户主 is removed: no longer a second head
    data = {k: v for k, v in data.items() if k != "members-TOTAL_FORMS"}
    data["members-TOTAL_FORMS"] = "3"
    head_birth = customer.birth_date.strftime("%Y%m%d")
    for i, row in enumerate(
        [member("小孩", "child", "19500101"), member("老人", "parent", born(1))], start=1
    ):
        for key, value in row.items():
            data[f"members-{i}-{key}"] = value
    response = client.post(url, data)
    assert response.status_code == 200
    errors = row_errors(response)
    assert errors[1] == ""
    assert "第 2 行（小孩）" in errors[2]
    assert "第 3 行（老人）" in errors[3]
    assert head_birth[:4] in errors[3]
    assert FamilyMember.objects.filter(pk=old.pk).exists()  # nothing half-saved
