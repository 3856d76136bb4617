"""Possible duplicates on save, the household ↔ business link of DOMAIN.md §7, and the merge."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from archives import dupes, merge
from archives.models import Customer, CustomerMerge, CustomerType, FamilyMember
from assessment.models import LedgerEntry, LedgerKind
from classification.models import Classification, FollowUp, Visit
from tests.archives.test_import import row, run, xlsx
from tests.archives.test_stale_edits import open_form
from tests.archives.test_survey_form import household_post
from tests.assessment.statement_builders import make_line
from tests.builders import credit_code, make_customer, make_member, resident_id
from tests.classification.test_dashboard import a_week, classify
from tests.classification.test_followup import visit
from tests.conftest import login
from tests.form_data import posted

NUMBER = resident_id("19750315", order=123)  # 刘春生's


def typo(number: str, positions) -> str:
    """`number` with the digits at `positions` changed (a slip of the pen)."""
    chars = list(number)
    for i in positions:
        chars[i] = str((int(chars[i]) + 1) % 10)
    return "".join(chars)


# --- the rule, without a database ------------------------------------------------------

BIRTH = datetime.date(1975, 3, 15)


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        # The same name, the ID number 0 / 1 / 2 / 3 characters apart (another mobile).
        (dupes.Identity("刘春生", "13900000000", NUMBER, None), []),
        (dupes.Identity("刘春生", "13900000000", typo(NUMBER, [3]), None), [dupes.NEAR_ID_NUMBER]),
        (
            dupes.Identity("刘春生", "13900000000", typo(NUMBER, [3, 15]), None),
            [dupes.NEAR_ID_NUMBER],
        ),
        (dupes.Identity("刘春生", "13900000000", typo(NUMBER, [1, 3, 15]), None), []),
        # Another name one digit apart is another person.
        (dupes.Identity("刘春花", "13900000000", typo(NUMBER, [3]), None), []),
        # The same mobile, whatever the name.
        (dupes.Identity("王五", "13812345678", resident_id("19800101"), None), [dupes.SAME_PHONE]),
        # The same name and birth date (ID number far off or missing).
        (dupes.Identity("刘春生", "", "", BIRTH), [dupes.SAME_BIRTH]),
        (dupes.Identity("刘春生", "", "", BIRTH + datetime.timedelta(days=1)), []),
        # Every reason at once.
        (
            dupes.Identity("刘春生", "13812345678", typo(NUMBER, [16]), BIRTH),
            [dupes.SAME_PHONE, dupes.NEAR_ID_NUMBER, dupes.SAME_BIRTH],
        ),
    ],
    ids=[
        "0 apart",
        "1 apart",
        "2 apart",
        "3 apart",
        "other name",
        "phone",
        "birth",
        "day off",
        "all",
    ],
)
def test_a_possible_duplicate_is_the_same_phone_a_near_id_or_the_same_birth(other, expected):
    new = dupes.Identity("刘春生", "13812345678", NUMBER, BIRTH)
    assert dupes.reasons(new, other) == expected


def test_hamming_counts_differing_characters_of_equal_length_numbers_only():
    assert dupes.hamming(NUMBER, NUMBER) == 0
    assert dupes.hamming(NUMBER, typo(NUMBER, [0, 17 if NUMBER[17] != "X" else 16])) == 2
    assert dupes.hamming(NUMBER, NUMBER[:15]) is None
    assert dupes.hamming("", NUMBER) is None


# --- the warning on the survey page ------------------------------------------------------


def liu_post(**overrides):
    data = household_post(name="刘春生", id_number=NUMBER, phone="13812345678", **overrides)
    del data["not_a_duplicate"]
    return data


@pytest.mark.django_db
def test_a_second_liu_chunsheng_is_a_warning_with_masked_candidates_then_filed_when_confirmed(
    world,
):
    first = make_customer(world.village_a, name="刘春生", id_number=typo(NUMBER, [3]))
    client = login(world.manager_a)
    url = reverse("archives:customer_create", args=[world.village_a.pk])

    warned = client.post(url, liu_post())

    assert warned.status_code == 200
    page = warned.content.decode()
    assert 'id="possible-duplicates"' in page
    assert reverse("archives:customer", args=[first.pk]) in page
    assert first.masked_id in page
    assert first.id_number not in page
    assert "王大山" in page  # the world's 王大山 has the same mobile
    assert "138****5678" in page
    assert not Customer.objects.filter(id_number=NUMBER).exists()

    filed = client.post(url, {**liu_post(), "not_a_duplicate": "on"})

    assert filed.status_code == 302
    assert Customer.objects.filter(id_number=NUMBER, village=world.village_a).count() == 1


@pytest.mark.django_db
def test_the_same_people_in_another_village_are_no_warning(world):
    make_customer(world.village_b, name="刘春生", id_number=typo(NUMBER, [3]))
    world.customer_a.phone = "13700000000"
    world.customer_a.save()
    client = login(world.manager_a)

    response = client.post(
        reverse("archives:customer_create", args=[world.village_a.pk]), liu_post()
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_an_edit_warns_only_when_it_changes_the_name_mobile_or_id(world):
    liu = make_customer(world.village_a, name="刘春生", phone="13700000000")
    client = login(world.manager_a)
    url = reverse("archives:customer_edit", args=[liu.pk])

    same = client.post(url, {**open_form(client, liu), "address": "一组3号"})
    moved = client.post(url, {**open_form(client, liu), "phone": "13812345678"})

    assert same.status_code == 302
    assert moved.status_code == 200
    assert "王大山" in moved.content.decode()


@pytest.mark.django_db
def test_candidates_are_one_query_however_many_customers_the_village_has(
    world, django_assert_num_queries
):
    identity = dupes.Identity("刘春生", "13812345678", NUMBER, BIRTH)
    with django_assert_num_queries(1):
        few = dupes.candidates(village=world.village_a, identity=identity)
    for i in range(30):
        make_customer(
            world.village_a,
            name="刘春生",
            phone=f"1370000{i:04d}",
            id_number=resident_id("19750315"),
        )
    with django_assert_num_queries(1):
        many = dupes.candidates(village=world.village_a, identity=identity)
    assert len(few) == 1
    assert len(many) == dupes.MAX_SHOWN


# --- one ID number: a household and the operator's businesses --------------------------


@pytest.mark.django_db
def test_a_family_farm_with_the_household_s_number_is_filed_and_linked(world):
    household = make_customer(world.village_a, name="刘春生", id_number=NUMBER, phone="")
    client = login(world.manager_a)

    response = client.post(
        reverse("archives:customer_create", args=[world.village_a.pk]),
        household_post(
            type=CustomerType.FAMILY_FARM, name="春生家庭农场", id_number=NUMBER, phone=""
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    farm = Customer.objects.get(customer_type=CustomerType.FAMILY_FARM, id_number=NUMBER)
    assert farm.household == household
    page = login(world.manager_a).get(household.get_absolute_url()).content.decode()
    assert 'id="same-person"' in page
    assert "春生家庭农场" in page


@pytest.mark.django_db
def test_a_household_filed_after_its_business_takes_the_business(world):
    farm = make_customer(
        world.village_a, name="春生家庭农场", customer_type=CustomerType.FAMILY_FARM, phone=""
    )
    assert farm.household is None
    client = login(world.manager_a)

    client.post(
        reverse("archives:customer_create", args=[world.village_a.pk]),
        household_post(name="刘春生", id_number=farm.id_number, phone=""),
    )

    farm.refresh_from_db()
    assert farm.household.name == "刘春生"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("where", "who", "says", "links"),
    [
        ("village_a", "manager_a", "该号码已建档", True),
        ("village_b", "branch_head", "该号码已建档", True),
        ("village_c", "manager_a", "已在其他网点建档，请联系总行", False),
    ],
    ids=["own village", "branch head, other village", "other branch"],
)
def test_a_second_household_with_one_number_is_refused_as_section_7_says(
    world, where, who, says, links
):
    holder = make_customer(getattr(world, where), name="刘春生", id_number=NUMBER, phone="")
    user = getattr(world, who)
    village = world.village_a if who == "manager_a" else world.village_b

    response = login(user).post(
        reverse("archives:customer_create", args=[village.pk]),
        household_post(type=CustomerType.LARGE_GROWER, id_number=NUMBER, phone="", scale="1"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert (reverse("archives:customer", args=[holder.pk]) in page) == links
    if not links:
        assert holder.village.name not in page
    assert Customer.objects.filter(id_number=NUMBER).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second", "allowed"),
    [
        (CustomerType.HOUSEHOLD, CustomerType.FAMILY_FARM, True),
        (CustomerType.HOUSEHOLD, CustomerType.INDIVIDUAL_BUSINESS, True),
        (CustomerType.FAMILY_FARM, CustomerType.INDIVIDUAL_BUSINESS, True),
        (CustomerType.HOUSEHOLD, CustomerType.HOUSEHOLD, False),
        (CustomerType.HOUSEHOLD, CustomerType.LARGE_GROWER, False),
        (CustomerType.FAMILY_FARM, CustomerType.FAMILY_FARM, False),
    ],
)
def test_the_database_holds_one_record_per_type_group_and_number(world, first, second, allowed):
    make_customer(world.village_a, customer_type=first, id_number=NUMBER)
    if allowed:
        make_customer(world.village_b, customer_type=second, id_number=NUMBER)
        assert Customer.objects.filter(id_number=NUMBER).count() == 2
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            make_customer(world.village_b, customer_type=second, id_number=NUMBER)


@pytest.mark.django_db
def test_only_a_business_has_a_household(world):
    household = make_customer(world.village_a, id_number=NUMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_customer(world.village_a, household=household)


# --- the import: a household row and a business row of one person ------------------------


@pytest.mark.django_db
def test_an_import_files_a_household_and_its_family_farm_with_one_number(world):
    data = xlsx(
        [
            row(world.village_a, name="刘春生", id_number=NUMBER),
            row(
                world.village_a,
                customer_type="家庭农场",
                name="春生家庭农场",
                id_number=NUMBER,
                household_income="",
            ),
        ],
        members=[{"household": NUMBER, "name": "刘小春", "relation": "子女"}],
    )

    result = run(data, user=world.head_office)

    assert result.ok, [(p.row, p.column, p.message) for p in result.problems]
    household = Customer.objects.get(id_number=NUMBER, customer_type=CustomerType.HOUSEHOLD)
    farm = Customer.objects.get(id_number=NUMBER, customer_type=CustomerType.FAMILY_FARM)
    assert farm.household == household
    assert [m.name for m in household.members.all()] == ["刘小春"]

    again = run(data, user=world.head_office)  # matched by (number, type group): no new rows

    assert (again.created, again.unchanged) == (0, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "second",
    [
        {"customer_type": "种养殖大户", "name": "赵大"},
        {
            "customer_type": "合作社",
            "name": "某合作社",
            "credit_code": credit_code(),
            "household_income": None,
            "form_collected": None,
        },
    ],
    ids=["two households", "a cooperative's legal representative"],
)
def test_an_import_refuses_a_second_row_of_one_number_in_a_rival_type(world, second):
    result = run(
        xlsx(
            [
                row(world.village_a, id_number=NUMBER),
                row(world.village_a, id_number=NUMBER, **second),
            ]
        ),
        user=world.head_office,
    )
    assert [p.row for p in result.problems] == [3]
    assert not Customer.objects.filter(id_number=NUMBER).exists()


# --- the merge -------------------------------------------------------------------------


def liu_with_history(world, village, *, name="刘春生", number=None):
    """A household with a family member, a visit (and so a follow-up row), a classification."""
    customer = make_customer(village, name=name, id_number=number or resident_id("19750315"))
    make_member(customer, name="刘小春", relation="child")
    visit(customer, datetime.date(2026, 11, 2), world.manager_a)
    return customer


@pytest.fixture
def pair(world):
    kept = liu_with_history(world, world.village_a)
    merged = liu_with_history(world, world.village_a, number=typo(kept.id_number, [3]))
    week = a_week(world.branch1, datetime.date(2026, 11, 9))
    classify(week, kept, "general_attention")
    classify(week, merged, "key_follow_up")  # the same week: only one may stay
    classify(a_week(world.branch1, datetime.date(2026, 11, 2)), merged, "key_follow_up")
    line = make_line(world.manager_a, LedgerKind.FIXED_DEPOSIT, amount=1000)
    return kept, merged, line


def merge_post(client, kept, merged, *, keep=None):
    url = reverse("archives:customer_merge", args=[kept.pk])
    page = client.get(url, {"other": merged.pk})
    assert page.status_code == 200
    versions = {f"version-{r.pk}": v for r, v, _c in page.context["records"]}
    return url, {"other": merged.pk, "kept": (keep or kept).pk, **versions}


@pytest.mark.django_db(transaction=True)
def test_a_merge_moves_every_row_to_the_kept_record_and_keeps_both_histories(world, pair):
    kept, merged, line = pair
    client = login(world.branch_head)
    url, data = merge_post(client, kept, merged)

    response = client.post(url, data)

    assert response.status_code == 302
    assert not Customer.objects.filter(pk=merged.pk).exists()
    for rel in Customer._meta.related_objects:  # nothing anywhere points at it any more
        assert not rel.related_model._base_manager.filter(**{rel.field.name: merged.pk}).exists()
    assert Visit.objects.filter(customer=kept).count() == 2
    assert FamilyMember.objects.filter(customer=kept).count() == 2
    assert Classification.objects.filter(customer=kept).count() == 2  # one a week: kept's stays
    assert Classification.objects.get(customer=kept, week__week_start="2026-11-09").tier == (
        "general_attention"
    )
    assert FollowUp.objects.filter(customer=kept).count() == 1
    line.refresh_from_db()
    assert LedgerEntry.objects.filter(pk=line.pk).exists()  # staff's ledger: no customer link
    record = CustomerMerge.objects.get(kept=kept)
    assert record.merged_pk == merged.pk
    assert record.merged_by == world.branch_head
    # The same week's classification and the follow-up row: the kept record's stay.
    assert record.dropped == {"classification.Classification": 1, "classification.FollowUp": 1}
    assert record.moved["classification.Classification"] == 1
    page = client.get(kept.get_absolute_url()).content.decode()
    assert "合并" in page
    assert page.count("刘春生") >= 2

    again = client.post(url, data)  # the second click of a double submit

    assert again.status_code == 302
    assert CustomerMerge.objects.count() == 1


@pytest.mark.django_db
def test_a_merge_of_a_record_changed_meanwhile_is_refused(world, pair):
    kept, merged, _line = pair
    client = login(world.head_office)
    url, data = merge_post(client, kept, merged)
    merged.phone = "13700000001"
    merged.save()

    response = client.post(url, data)

    assert response.status_code == 409
    assert Customer.objects.filter(pk=merged.pk).exists()


@pytest.mark.django_db
def test_the_merge_page_lists_the_possible_duplicates(world, pair):
    kept, merged, _line = pair
    page = login(world.branch_head).get(reverse("archives:customer_merge", args=[kept.pk]))
    assert f"?other={merged.pk}" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who",
    [
        "manager_a",
        "manager_a2",
        "manager_b",
        "manager_c",
        "branch_head_2",
        "section_chief",
        "leader",
        "deputy_head",
        "corp_a1",
        "corporate_finance",
        "credit_management",
    ],
)
def test_the_merge_page_is_a_404_for_everyone_but_the_branch_head_and_head_office(world, who):
    other = make_customer(world.village_a, name="王大山")
    client = login(getattr(world, who))
    url = reverse("archives:customer_merge", args=[world.customer_a.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"other": other.pk}).status_code == 404
    assert client.post(url, {"other": other.pk, "kept": other.pk}).status_code == 404
    assert Customer.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_a_branch_head_cannot_merge_with_a_record_of_another_branch(world):
    client = login(world.branch_head)
    url = reverse("archives:customer_merge", args=[world.customer_a.pk])
    assert client.get(url, {"other": world.customer_c.pk}).status_code == 404
    response = client.post(url, {"other": world.customer_c.pk, "kept": world.customer_a.pk})
    assert response.status_code == 404
    assert Customer.objects.filter(pk=world.customer_c.pk).exists()


@pytest.mark.django_db
def test_records_of_two_types_are_not_offered_for_a_merge(world):
    farm = make_customer(world.village_a, customer_type=CustomerType.FAMILY_FARM)
    url = reverse("archives:customer_merge", args=[world.customer_a.pk])
    assert login(world.head_office).get(url, {"other": farm.pk}).status_code == 404


def test_merge_finds_every_relation_to_customer_in_every_app():
    found = {(m._meta.label, f) for m, f in merge.relations()}
    assert {
        ("archives.FamilyMember", "customer"),
        ("classification.Visit", "customer"),
        ("classification.Classification", "customer"),
        ("classification.FollowUp", "customer"),
        ("archives.Customer", "household"),
        ("archives.CustomerMerge", "kept"),
    } <= found


@pytest.mark.django_db
@pytest.mark.parametrize("edited", ["household", "farm"])
def test_a_number_corrected_on_either_record_unlinks_the_farm(world, edited):
    """link_households looks the businesses up by their own number and by their household's:
    after either record's number is corrected on its edit page, the farm has no household."""
    household = make_customer(world.village_a, name="刘春生", id_number=NUMBER, phone="")
    farm = make_customer(
        world.village_a,
        name="春生家庭农场",
        customer_type=CustomerType.FAMILY_FARM,
        id_number=NUMBER,
        household=household,
        phone="",
    )
    target = household if edited == "household" else farm
    client = login(world.manager_a)
    url = reverse("archives:customer_edit", args=[target.pk])
    page = client.get(url)
    data = posted(page.context["form"], page.context.get("members"))
    data["id_number"] = resident_id("19800101", order=456)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    farm.refresh_from_db()
    assert farm.household is None
