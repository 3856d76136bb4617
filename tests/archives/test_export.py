"""Exporting a village's or a branch's archive to XLSX: a job whose file is read back, masked,
text kept text, scoped to the user who started it."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from openpyxl import load_workbook

from archives import sheets
from archives.models import Customer, CustomerType
from jobs.models import Job
from tests.builders import make_customer, make_member, resident_id
from tests.conftest import login

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
TYPE_SHEETS = [sheets.label(CustomerType, t) for t in CustomerType.values]


def export(client, url):
    """POST the export button, follow to its job's page, download the job's file."""
    response = client.post(url)
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    assert job.kind == "archive_export"
    assert job.status == Job.Status.DONE, job.message
    page = client.get(response["Location"])
    assert page.status_code == 200
    file_url = reverse("jobs:file", args=[job.pk])
    assert file_url in page.text
    return client.get(file_url)


def read(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.getvalue()))


def rows_of(ws):
    """The sheet as dicts keyed by its header row."""
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=False)) for row in ws.iter_rows(min_row=2)]


def test_a_village_export_has_a_sheet_per_type_with_masked_identifiers_and_text_kept_text(world):
    village = world.village_a
    make_customer(
        village,
        name='=HYPERLINK("http://evil","点我")',
        id_number="11010519900101002X",
        phone="13812345678",
        deposit_balance=Decimal("12345.60"),
        ebanking_products=["fuka", "mobile_banking"],
        credit_record="good",
    )
    make_customer(village, customer_type=CustomerType.COOPERATIVE, name="+合作社", member_count=35)
    household = Customer.objects.get(name="王大山")
    make_member(household, name="-钱小红", id_number=resident_id("19780601"), phone="13700001111")

    workbook = read(
        export(login(world.manager_a), reverse("archives:village_export", args=[village.pk]))
    )

    assert workbook.sheetnames == [*TYPE_SHEETS, "家庭成员"]
    households = {r["身份证号"].value: r for r in rows_of(workbook["一般农户（含外出务工人员）"])}
    evil = households["110105********002X"]
    name = evil["姓名/名称"]
    assert name.data_type == "s"
    assert name.value.startswith("'=")
    assert evil["身份证号"].data_type == "s"
    assert evil["手机号"].value == "138****5678"
    assert evil["存款余额（元）"].value == 12345.6
    assert evil["存款余额（元）"].data_type == "n"
    assert evil["存款余额（元）"].number_format == "0.00"
    assert evil["建档日期"].value.date() == datetime.date(2026, 3, 1)
    assert evil["已用电子银行产品"].value == "福卡、手机银行"
    assert evil["信用记录"].value == "良好"
    assert evil["行政村编码"].value == village.code
    assert evil["行政村编码"].data_type == "s"
    assert all(MASKED_ID.match(number) for number in households)
    assert "刘小河" not in {r["姓名/名称"].value for r in households.values()}  # village B's

    coop = rows_of(workbook["农民专业合作社"])
    assert [(r["姓名/名称"].value, r["成员数"].value) for r in coop] == [("'+合作社", 35)]
    assert "家庭年收入（元）" not in {c.value for c in workbook["农民专业合作社"][1]}

    members = rows_of(workbook["家庭成员"])
    assert len(members) == 1
    member = members[0]
    assert member["姓名"].value == "'-钱小红"
    assert MASKED_ID.match(member["身份证号"].value)
    assert MASKED_ID.match(member["户主证件号"].value)
    assert member["手机号"].value == "137****1111"
    assert member["是否外出务工"].value == "否"


def test_a_village_export_is_404_outside_the_users_villages(world):
    url = reverse("archives:village_export", args=[world.village_a.pk])
    assert login(world.manager_b).post(url).status_code == 404
    assert login(world.branch_head_2).post(url).status_code == 404
    assert not Job.objects.exists()
    for user in (world.manager_a, world.branch_head, world.section_chief, world.head_office):
        assert read(export(login(user), url))
        assert login(user).get(url).status_code == 405  # a GET starts nothing


def test_an_export_job_and_its_file_are_404_for_anyone_but_who_started_it(world):
    client = login(world.branch_head)
    response = client.post(reverse("archives:branch_export", args=[world.branch1.pk]))
    job = Job.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    urls = [reverse(name, args=[job.pk]) for name in ("jobs:job", "jobs:status", "jobs:file")]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    for persona in ("branch_head_2", "manager_a", "section_chief", "head_office"):
        other = login(getattr(world, persona))
        assert [other.get(url).status_code for url in urls] == [404, 404, 404], persona


def test_an_export_whose_village_left_its_starters_scope_fails_with_a_reason(world):
    from jobs.services import run

    job = Job.objects.create(
        kind="archive_export",
        subject=world.village_a.name,
        params={"village": world.village_a.pk},
        created_by=world.manager_b,
    )
    run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "该村已不在您的导出范围内。"
    assert not job.result_file


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("branch_head", 200),
        ("section_chief", 200),
        ("leader", 200),
        ("head_office", 200),
        ("branch_head_2", 404),
        ("manager_a", 404),
    ],
)
def test_a_branch_export_is_for_its_branch_heads_chiefs_leaders_and_head_office(
    world, persona, status
):
    client = login(getattr(world, persona))
    url = reverse("archives:branch_export", args=[world.branch1.pk])
    if status == 404:
        assert client.post(url).status_code == 404
        return
    names = {
        r["姓名/名称"].value
        for r in rows_of(read(export(client, url))["一般农户（含外出务工人员）"])
    }
    assert names == {"王大山", "刘小河"}  # villages A and B, not C of branch 2


def test_the_village_page_offers_the_exports(world):
    url = reverse("archives:village", args=[world.village_a.pk])
    manager_page = login(world.manager_a).get(url).text
    assert reverse("archives:village_export", args=[world.village_a.pk]) in manager_page
    assert reverse("archives:branch_export", args=[world.branch1.pk]) not in manager_page
    head_page = login(world.branch_head).get(url).text
    assert reverse("archives:branch_export", args=[world.branch1.pk]) in head_page


def test_the_export_takes_the_same_number_of_queries_for_5_or_50_customers(world):
    village = world.village_b
    client = login(world.manager_b)
    url = reverse("archives:village_export", args=[village.pk])
    counts = []
    for total in (5, 50):
        while village.customers.count() < total:
            n = village.customers.count()
            make_member(
                make_customer(village, name=f"村民{n}", group=village.groups.first()),
                name=f"成员{n}",
            )
        with CaptureQueriesContext(connection) as queries:
            workbook = read(export(client, url))
        assert len(rows_of(workbook["一般农户（含外出务工人员）"])) == total
        assert len(rows_of(workbook["家庭成员"])) == total - 1  # 刘小河 has no members
        counts.append(len(queries))
    print("export queries for 5 and 50 customers:", counts)
    assert counts[0] == counts[1], counts


def test_a_link_or_an_error_literal_typed_stays_plain_text(world):
    make_customer(world.village_a, name="#N/A", contact_method="http://evil.example/x")
    workbook = read(
        export(
            login(world.manager_a), reverse("archives:village_export", args=[world.village_a.pk])
        )
    )
    row = next(r for r in rows_of(workbook[TYPE_SHEETS[0]]) if r["姓名/名称"].value == "#N/A")
    assert row["姓名/名称"].data_type == "s"
    link = row[sheets.COLUMN["contact_method"].header]
    assert (link.value, link.data_type, link.hyperlink) == ("http://evil.example/x", "s", None)


def every_cell(workbook):
    return [
        str(cell.value)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "13987654321",
        "微信同号13987654321",
        "家人电话：139 8765 4321 / 139-8765-4321",
        "身份证42112219880101122X",
        "身份证 421122 19880101 122X",
    ],
)
def test_a_phone_or_id_typed_into_a_free_text_field_is_masked_in_the_export(world, typed):
    customer = make_customer(world.village_a, name="赵四", contact_method=typed, address=typed)
    make_member(customer, name="赵小四", away_location=f"武汉 {typed}")
    workbook = read(
        export(
            login(world.manager_a), reverse("archives:village_export", args=[world.village_a.pk])
        )
    )
    cells = every_cell(workbook)
    digits = [re.sub(r"[^\dX]", "", cell) for cell in cells]
    for full in ("13987654321", "42112219880101122X", *(c.phone for c in Customer.objects.all())):
        assert not any(full in cell for cell in digits), full
    name = sheets.COLUMN["name"].header
    contact = next(r for r in rows_of(workbook[TYPE_SHEETS[0]]) if r[name].value == "赵四")
    assert "****" in str(contact[sheets.COLUMN["contact_method"].header].value)


@pytest.mark.parametrize("customer_type", list(CustomerType))
def test_each_customer_type_has_one_name_on_pages_and_in_files(customer_type):
    """The page's label is the one the XLSX writes (issue 13: 种养殖大户 vs 农村经营大户)."""
    from django.utils import translation

    from archives.sheets import CHOICE_LABELS

    with translation.override("zh-hans"):
        assert str(customer_type.label) == CHOICE_LABELS[CustomerType][customer_type][0]
