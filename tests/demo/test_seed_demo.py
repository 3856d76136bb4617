"""seed_demo builds a complete, valid, deterministic demo county and never seeds twice."""

import datetime
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from archives import household
from archives.identity import parse_resident_id, validate_credit_code, validate_mobile
from archives.models import (
    HOUSEHOLD_TYPES,
    ORGANISATION_TYPES,
    Branch,
    Customer,
    CustomerType,
    FamilyMember,
    Role,
    User,
    Village,
    VillageGroup,
)
from demo import county
from demo.customers import customers_for_village

TODAY = datetime.date(2026, 11, 22)


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """The command hashes the demo password once; a fast hasher keeps each seeding short."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True  # the development demo of `make run`


@pytest.fixture
def seeded(demo_county, db, settings):
    demo_county.use(settings)
    return demo_county.output


def test_every_customer_type_is_present(seeded):
    types = set(Customer.objects.values_list("customer_type", flat=True))
    assert types == set(CustomerType.values)
    assert 250 <= Customer.objects.count() <= 350


def test_small_county_has_three_branches_and_about_ten_villages(seeded):
    assert Branch.objects.count() == 3
    assert Village.objects.count() == 10
    counts = (
        VillageGroup.objects.values("village").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert all(3 <= n <= 6 for n in counts)


def test_every_village_has_a_pair_of_owners_and_an_informant(seeded):
    for village in Village.objects.prefetch_related("owners"):
        owners = list(village.owners.all())
        assert len(owners) == 2
        assert all(o.role == Role.ACCOUNT_MANAGER for o in owners)
        assert village.informant_name
        validate_mobile(village.informant_phone)
        assert village.registered_households >= 150
        assert abs(float(village.latitude) - 31.28) <= 0.1
        assert abs(float(village.longitude) - 114.62) <= 0.1


def test_every_role_has_a_user_and_head_office_can_use_the_admin(seeded):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    head_office = User.objects.get(username="head_office")
    assert head_office.is_staff
    assert head_office.is_superuser
    assert head_office.check_password("demo12345")
    for user in User.objects.filter(role__in=[Role.SECTION_CHIEF, Role.LEADER, Role.BRANCH_HEAD]):
        assert user.branches.exists()


def test_customers_are_filed_by_an_owner_of_their_village(seeded):
    for customer in Customer.objects.select_related("village", "filed_by"):
        assert customer.filed_by in customer.village.owners.all()
        assert customer.archived_on.year == 2026


def test_identifiers_and_phones_are_valid(seeded):
    for customer in Customer.objects.all():
        assert customer.id_number or customer.credit_code
        if customer.id_number:
            parsed = parse_resident_id(customer.id_number, today=TODAY)
            assert parsed.birth_date == customer.birth_date
            assert 1940 <= parsed.birth_date.year <= 2005
            assert customer.id_number.startswith("421122")
        if customer.credit_code:
            assert validate_credit_code(customer.credit_code) == customer.credit_code
        validate_mobile(customer.phone)
        if customer.customer_type in ORGANISATION_TYPES:
            assert customer.credit_code
    for member in FamilyMember.objects.all():
        assert parse_resident_id(member.id_number, today=TODAY).birth_date == member.birth_date
        if member.phone:
            validate_mobile(member.phone)


def test_households_have_two_to_five_family_members(seeded):
    households = Customer.objects.filter(customer_type__in=HOUSEHOLD_TYPES).annotate(
        n=Count("members")
    )
    assert all(2 <= c.n <= 5 for c in households)
    assert not FamilyMember.objects.exclude(customer__customer_type__in=HOUSEHOLD_TYPES).exists()
    assert FamilyMember.objects.filter(works_away=True).exclude(away_location="").exists()


def test_every_demo_family_fits_the_survey_forms_checks(seeded):
    households = Customer.objects.filter(customer_type__in=HOUSEHOLD_TYPES).prefetch_related(
        "members"
    )
    for customer in households:
        head = household.Person(customer.birth_date, int(customer.id_number[16]) % 2 == 1)
        members = [
            household.Member(
                n,
                m.name,
                m.relation,
                household.Person(m.birth_date, int(m.id_number[16]) % 2 == 1),
            )
            for n, m in enumerate(customer.members.all(), start=1)
        ]
        assert household.problems(head, members, today=TODAY) == {}, customer.name


def test_the_demo_customers_carry_their_searched_suffixes(seeded):
    for customer in Customer.objects.all():
        assert customer.id_last4 == customer.id_number[-4:]
        assert customer.phone_last4 == customer.phone[-4:]
    assert Customer.objects.search(Customer.objects.first().phone[-4:]).exists()


def test_some_customers_have_a_change_in_their_history(seeded):
    changed = Customer.history.filter(history_type="~")
    assert changed.exists()
    record = changed.first()
    assert record.history_user is not None
    assert record.history_change_reason
    assert Customer.objects.get(pk=record.id).history.count() > 1
    assert Customer.history.filter(history_type="+").count() == Customer.objects.count()


def test_output_lists_every_login(seeded):
    for username in User.objects.values_list("username", flat=True):
        assert username in seeded
    assert "demo12345" in seeded
    assert "客户经理" in seeded
    assert "总行" in seeded


def test_running_twice_does_not_duplicate(seeded):
    counts = (User.objects.count(), Village.objects.count(), Customer.objects.count())
    output = seed()
    assert (User.objects.count(), Village.objects.count(), Customer.objects.count()) == counts
    assert "已存在" in output
    assert "am_chengguan_1" in output


def test_generation_is_deterministic():
    def phones(seed_value):
        rng = random.Random(seed_value)
        plan = county.plan_county(county.parse_scale("small"), rng)
        used: set = set()
        return [
            c["fields"]["phone"]
            for v in plan.villages[:2]
            for c in customers_for_village(rng, v, used)
        ]

    assert phones(42) == phones(42)
    assert phones(42) != phones(7)


def test_county_scale_parameters():
    scale = county.parse_scale("county")
    assert (scale.branches, scale.villages, scale.customers) == (25, 400, 170_000)
    assert scale.branches * scale.managers_per_branch == 150
    with pytest.raises(ValueError, match="scale"):
        county.parse_scale("huge")


# --- The demo logins of `make run` (DEBUG on) ---------------------------------------------


def test_demo_accounts_keep_their_demo_password_and_are_never_forced_to_change_it(seeded):
    assert User.objects.count() > 10
    assert not User.objects.filter(must_change_password=True).exists()
    for user in User.objects.all():
        assert user.check_password("demo12345")


def test_demo_head_office_signs_in_with_the_printed_totp_key(seeded, client):
    from django.urls import reverse

    from demo.management.commands.seed_demo import DEMO_TOTP_KEY, DEMO_TOTP_SECRET
    from tests.builders import totp_code

    assert DEMO_TOTP_SECRET in seeded
    assert "demo_totp_code" in seeded
    shown = StringIO()
    call_command("demo_totp_code", stdout=shown)
    assert shown.getvalue().split()[0] == totp_code(DEMO_TOTP_KEY)

    client.post(reverse("login"), {"username": "head_office", "password": "demo12345"})
    review = reverse("assessment:review")
    assert client.get(review)["Location"].startswith(reverse("accounts:otp_verify"))
    response = client.post(reverse("accounts:otp_verify"), {"token": shown.getvalue().split()[0]})
    assert response.status_code == 302
    assert client.get(review).status_code == 200


def test_demo_totp_code_is_for_the_development_demo_only(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp_code", stdout=StringIO())
