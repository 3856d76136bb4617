"""Imports never blank what they don't mention: an empty cell keeps, 清空 clears, every change listed.

DOMAIN.md §7. The dry run lists per customer each field that changes (old → new) on
the job page, and gives the file back as XLSX with each problem and change on its cell.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from archives.models import Customer
from jobs.models import Job
from tests.archives.test_import import H, M, row, run, upload, xlsx
from tests.builders import make_customer, make_member, resident_id
from tests.conftest import login

pytestmark = pytest.mark.django_db

# Thirteen survey fields of a household, as a manager filled them in on the page.
SURVEY = {
    "contact_method": "微信 zhao1975",
    "address": "王家湾12号",
    "credit_record": "good",
    "main_income": "farming",
    "business_items": "养猪",
    "business_address": "王家湾猪场",
    "has_deposit_account": True,
    "ebanking_products": ["fuka", "mobile_banking"],
    "other_bank_business": "邮储存款",
    "credit_need": Decimal("50000.00"),
    "service_needs": "想开手机银行",
    "household_income": Decimal("80000.00"),
    "household_expenses": Decimal("30000.00"),
}
EVERY_COLUMN = [
    "customer_type",
    "village",
    "name",
    "id_number",
    "phone",
    *SURVEY,
    "letter_delivered",
    "archived_on",
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def surveyed(world):
    return make_customer(world.village_a, name="赵大海", letter_delivered=True, **SURVEY)


def same_customer(customer, **cells):
    """A row naming the customer, every other cell empty unless given."""
    values = {
        "customer_type": "一般农户",
        "village": customer.village.code,
        "name": customer.name,
        "id_number": customer.id_number,
    }
    return {**values, **cells}


def test_empty_cells_keep_all_thirteen_survey_fields(world, surveyed):
    data = xlsx([same_customer(surveyed, phone="13900002222")], columns=EVERY_COLUMN)

    result = run(data, user=world.head_office)

    assert result.written
    assert result.updated == 1
    surveyed.refresh_from_db()
    for name, value in SURVEY.items():
        assert getattr(surveyed, name) == value, name
    assert surveyed.letter_delivered
    assert surveyed.phone == "13900002222"
    assert [(c.column, c.old, c.new) for c in result.changes] == [
        (H["phone"], "138****5678", "139****2222")  # masked, as in every list
    ]


@pytest.mark.parametrize(
    ("name", "cleared"),
    [
        ("address", ""),
        ("business_items", ""),
        ("household_income", None),  # unknown again, not 0
        ("ebanking_products", []),
        ("has_deposit_account", False),
    ],
)
def test_qing_kong_clears_an_optional_field(world, surveyed, name, cleared):
    result = run(xlsx([same_customer(surveyed, **{name: "清空"})]), user=world.head_office)
    assert result.ok, result.problems
    surveyed.refresh_from_db()
    assert getattr(surveyed, name) == cleared
    others = {n: v for n, v in SURVEY.items() if n != name}
    assert all(getattr(surveyed, n) == v for n, v in others.items())
    assert [c.column for c in result.changes] == [H[name]]


@pytest.mark.parametrize(
    "name", ["name", "id_number", "credit_record", "customer_type", "village", "archived_on"]
)
def test_qing_kong_cannot_clear_a_required_field(world, surveyed, name):
    result = run(xlsx([same_customer(surveyed, **{name: "清空"})]), user=world.head_office)
    assert [(p.row, p.column) for p in result.problems] == [(2, H[name])]
    assert "清空" in result.problems[0].message
    assert "必填" in result.problems[0].message
    assert not result.written
    surveyed.refresh_from_db()
    assert surveyed.address == SURVEY["address"]


def test_a_cell_that_only_contains_qing_kong_in_other_words_is_a_value(world, surveyed):
    run(xlsx([same_customer(surveyed, address="请清空后再填")]), user=world.head_office)
    surveyed.refresh_from_db()
    assert surveyed.address == "请清空后再填"


def test_a_new_customer_with_empty_cells_gets_the_defaults(world):
    number = resident_id("19900101")
    result = run(xlsx([row(world.village_a, id_number=number, address=None)]), user=None)
    assert result.created == 1
    assert Customer.objects.get(id_number=number).address == ""


def test_empty_cells_of_a_family_member_keep_what_is_on_file(world, surveyed):
    member = make_member(
        surveyed,
        name="钱小红",
        relation="spouse",
        phone="13700001111",
        works_away=True,
        away_location="武汉",
    )
    data = xlsx(
        [same_customer(surveyed)],
        members=[
            {
                "household": surveyed.id_number,
                "name": "钱小红",
                "relation": "配偶",
                "phone": None,
                "works_away": None,
                "away_location": None,
            }
        ],
    )
    result = run(data, user=world.head_office)
    assert result.ok, result.problems
    member.refresh_from_db()
    assert (member.phone, member.works_away, member.away_location) == ("13700001111", True, "武汉")
    assert result.changes == []

    cleared = xlsx(
        [same_customer(surveyed)],
        members=[
            {
                "household": surveyed.id_number,
                "name": "钱小红",
                "relation": "配偶",
                "phone": "清空",
                "works_away": "否",
                "away_location": "清空",
            }
        ],
    )
    result = run(cleared, user=world.head_office)
    assert result.ok, result.problems
    member.refresh_from_db()
    assert (member.phone, member.works_away, member.away_location) == ("", False, "")
    assert {(c.column, c.old, c.new) for c in result.changes} == {
        (M["phone"], "137****1111", ""),
        (M["works_away"], "是", "否"),
        (M["away_location"], "武汉", ""),
    }


# --- the dry run on the job page, and the annotated file ------------------------------


def test_the_dry_run_page_lists_each_change_and_gives_the_annotated_file(world, surveyed, media):
    client = login(world.head_office)
    other = make_customer(world.village_a, name="钱二", address="老地址")
    data = xlsx(
        [
            same_customer(surveyed, phone="13900002222", credit_record="一般"),
            same_customer(other, address="新地址"),
            row(world.village_a, name="孙三", id_number=resident_id("19800101")),
        ],
        columns=EVERY_COLUMN,
    )

    upload(client, data)

    job = Job.objects.get()
    assert (job.status, job.result["updated"], job.result["created"]) == ("done", 2, 1)
    assert job.result["change_count"] == 3
    assert [
        (c["row"], c["subject"], c["column"], c["old"], c["new"]) for c in job.result["changes"]
    ] == [
        (2, "赵大海", H["phone"], "138****5678", "139****2222"),
        (2, "赵大海", H["credit_record"], "良好", "一般"),
        (3, "钱二", H["address"], "老地址", "新地址"),
    ]
    page = client.get(job.get_absolute_url()).text
    assert 'id="import-changes"' in page
    for text in ("赵大海", "138****5678", "139****2222", "老地址", "新地址"):
        assert text in page
    assert "13812345678" not in page  # the old number is nowhere in full
    download = reverse("jobs:file", args=[job.pk])
    assert download in page

    response = client.get(download)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = workbook["客户"]
    headers = [c.value for c in ws[1]]
    phone = ws.cell(row=2, column=headers.index(H["phone"]) + 1)
    assert phone.value == "13900002222"
    assert "138****5678 → 139****2222" in phone.comment.text  # the file's own cell stays
    assert phone.fill.fgColor.rgb.endswith("FFEB9C")
    address = ws.cell(row=3, column=headers.index(H["address"]) + 1)
    assert "老地址 → 新地址" in address.comment.text
    assert ws.cell(row=4, column=headers.index(H["address"]) + 1).comment is None
    assert not Customer.objects.filter(name="孙三").exists()  # a dry run writes nothing


def test_the_annotated_file_marks_each_problem_and_keeps_text_as_text(world, media):
    client = login(world.head_office)
    workbook = load_workbook(
        io.BytesIO(
            xlsx(
                [
                    row(world.village_a, phone="123", address="x"),
                    row(world.village_a, name="钱二", id_number=resident_id("19800101")),
                ]
            )
        )
    )
    ws = workbook["客户"]
    text = ws.cell(row=2, column=[c.value for c in ws[1]].index(H["address"]) + 1)
    text.value = '=HYPERLINK("http://x")'
    text.data_type = "s"  # text that looks like a formula, as a careful export writes it
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(client, buffer.getvalue())
    job = Job.objects.get()
    assert job.error_count == 1
    response = client.get(reverse("jobs:file", args=[job.pk]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["客户"]
    headers = [c.value for c in ws[1]]
    phone = ws.cell(row=2, column=headers.index(H["phone"]) + 1)
    assert phone.fill.fgColor.rgb.endswith("FFC7CE")
    assert job.errors[0]["message"] in phone.comment.text
    formula = ws.cell(row=2, column=headers.index(H["address"]) + 1)
    assert (formula.value, formula.data_type) == ('=HYPERLINK("http://x")', "s")


def test_a_run_without_changes_or_problems_offers_no_file(world, surveyed, media):
    client = login(world.head_office)
    upload(client, xlsx([same_customer(surveyed)]))
    job = Job.objects.get()
    assert (job.result["unchanged"], job.result["change_count"]) == (1, 0)
    assert not job.result_file
    assert reverse("jobs:file", args=[job.pk]) not in client.get(job.get_absolute_url()).text


def test_the_page_shows_the_first_thousand_changes_with_the_total(world, media, monkeypatch):
    from archives import tasks

    monkeypatch.setattr(tasks, "CHANGES_SHOWN", 2)
    customers = [make_customer(world.village_a, name=f"村民{i}", address="旧") for i in range(3)]
    upload(login(world.head_office), xlsx([same_customer(c, address="新") for c in customers]))
    job = Job.objects.get()
    assert (job.result["change_count"], len(job.result["changes"])) == (3, 2)
    page = login(world.head_office).get(job.get_absolute_url()).text
    assert "共 3 处" in page


def test_archive_dates_are_kept_when_empty(world, surveyed):
    run(xlsx([same_customer(surveyed, archived_on=None)], columns=EVERY_COLUMN))
    surveyed.refresh_from_db()
    assert surveyed.archived_on == datetime.date(2026, 3, 1)
