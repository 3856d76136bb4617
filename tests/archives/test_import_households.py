"""The family sheet of an import is held to the household form's rules (archives.household):
no second 户主, a spouse of legal marriage age, parents older and children younger than the head."""

import datetime

import pytest

from archives.models import Customer, FamilyMember
from tests.archives.test_import import TODAY, problems, row, run, xlsx
from tests.builders import make_member, resident_id

pytestmark = pytest.mark.django_db

MALE, FEMALE = 1, 2  # the order code's last digit: odd for men, even for women
HEAD_BORN = "19750315"


def born(years, days=0):
    """The birth date (YYYYMMDD) of someone `years` old on the import's day, `days` from
    their birthday: days=0 is the birthday itself, days=1 the next day (a year younger)."""
    day = TODAY.replace(year=TODAY.year - years) + datetime.timedelta(days=days)
    return day.strftime("%Y%m%d")


def imported(world, relation, birth=None, sex=MALE, *, head_birth=HEAD_BORN, dry_run=True):
    head = resident_id(head_birth, order=201)
    member = {"household": head, "name": "钱小红", "relation": relation}
    if birth:
        member["id_number"] = resident_id(birth, order=100 + sex)
    data = xlsx([row(world.village_a, id_number=head)], members=[member])
    return run(data, user=world.head_office, dry_run=dry_run)


@pytest.mark.parametrize(
    ("relation", "birth", "sex", "head_birth", "refused"),
    [
        ("配偶", born(22), MALE, HEAD_BORN, False),  # his 22nd birthday: of age (含)
        ("配偶", born(22, 1), MALE, HEAD_BORN, True),  # 22 tomorrow
        ("配偶", born(20), FEMALE, HEAD_BORN, False),
        ("配偶", born(20, 1), FEMALE, HEAD_BORN, True),
        ("配偶", born(21), MALE, HEAD_BORN, True),
        ("配偶", born(21), FEMALE, HEAD_BORN, False),
        ("配偶", "19780601", FEMALE, born(22, 1), True),  # the head (a man) is 21
        ("配偶", "19780601", FEMALE, born(22), False),
        ("父母", "19750314", MALE, HEAD_BORN, False),  # a day older than the head
        ("父母", "19750315", MALE, HEAD_BORN, True),  # born the same day
        ("子女", "19750316", MALE, HEAD_BORN, False),  # a day younger
        ("子女", "19750315", MALE, HEAD_BORN, True),
        ("子女", "19700101", MALE, HEAD_BORN, True),
        ("孙子女", "19750316", MALE, HEAD_BORN, False),
        ("孙子女", "19750315", MALE, HEAD_BORN, True),
        ("户主", None, MALE, HEAD_BORN, True),  # a second head
        ("子女", None, MALE, HEAD_BORN, False),  # no ID number: no birth date to check
    ],
)
def test_a_family_row_is_held_to_the_household_rules(
    world, relation, birth, sex, head_birth, refused
):
    result = imported(world, relation, birth, sex, head_birth=head_birth)
    if refused:
        assert problems(result) == [("家庭成员", 2, "关系")]
        assert "第 2 行（钱小红）" in result.problems[0].message
    else:
        assert result.ok, result.problems


def test_a_refused_family_row_writes_nothing(world):
    result = imported(world, "子女", "19700101", dry_run=False)
    message = result.problems[0].message
    assert "1975-03-15" in message
    assert "1970-01-01" in message
    assert not result.written
    assert not Customer.objects.filter(id_number=resident_id(HEAD_BORN, order=201)).exists()
    assert not FamilyMember.objects.filter(name="钱小红").exists()


def test_a_member_on_file_kept_by_a_blank_row_is_checked_too(world):
    """A row naming a member on file keeps the stored values its cells leave blank; the
    stored relation 户主 is then a second head, as the edit page would say."""
    customer = world.customer_a
    make_member(customer, name="旧户主", relation="head")
    data = xlsx(
        [row(world.village_a, name=customer.name, id_number=customer.id_number)],
        members=[{"household": customer.id_number, "name": "旧户主", "relation": None}],
    )
    result = run(data, user=world.head_office, dry_run=True)
    assert problems(result) == [("家庭成员", 2, "关系")]
    assert "户主" in result.problems[0].message
