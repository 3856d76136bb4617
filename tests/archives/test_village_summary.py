"""The village summary (一村一总结): made for a village whose census is done, page and PDF."""

import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from archives.models import CustomerType, FamilyMember, VillageSummary
from tests.builders import make_customer, make_village
from tests.conftest import login

pytestmark = pytest.mark.django_db
D = Decimal


def filed(village, n, **fields):
    return [make_customer(village, name=f"户{i}", **fields) for i in range(n)]


@pytest.mark.parametrize(
    ("registered", "households", "done"),
    [
        (3, 3, True),  # every registered household filed: done (含)
        (3, 4, True),  # more filed than registered: done
        (3, 2, False),  # one missing: not done
        (0, 0, False),  # nothing registered: no census to finish
    ],
)
def test_the_summary_is_made_once_every_household_is_filed(world, registered, households, done):
    village = make_village(
        branch=world.branch1, registered_households=registered, owners=[world.manager_a]
    )
    filed(village, households)
    # Organisations do not count as households (coverage counts the household types).
    make_customer(village, customer_type=CustomerType.COOPERATIVE, name="合作社")
    client = login(world.manager_a)
    page = client.get(reverse("archives:village_summary", args=[village.pk])).text
    assert ('id="census-not-done"' in page) is not done
    assert ('id="summary-pdf"' in page) is done
    pdf = client.get(reverse("archives:village_summary_pdf", args=[village.pk]))
    if done:
        assert pdf["Content-Type"] == "application/pdf"
    else:
        assert pdf.status_code == 302
        assert pdf["Location"] == reverse("archives:village_summary", args=[village.pk])


@pytest.fixture
def done_village(world):
    village = make_village(
        branch=world.branch1, name="红星村", registered_households=3, owners=[world.manager_a]
    )
    first = make_customer(
        village,
        name="李一",
        main_income="farming",
        household_income=D("60000"),
        household_expenses=D("20000"),
        business_items="水稻、油茶",
        has_deposit_account=True,
        ebanking_products=["mobile_banking"],
        credit_need=D("50000"),
    )
    make_customer(
        village,
        name="李二",
        main_income="wages_away",
        household_income=D("40000"),
        business_items="油茶",
        deposit_balance=D("12000"),
    )
    make_customer(
        village, name="李三", customer_type=CustomerType.FAMILY_FARM, main_income="farming"
    )
    FamilyMember.objects.create(
        customer=first, name="李小一", relation="child", works_away=True, away_location="武汉"
    )
    FamilyMember.objects.create(
        customer=first, name="李小二", relation="child", works_away=True, away_location="武汉"
    )
    FamilyMember.objects.create(customer=first, name="王芳", relation="spouse")
    return village


def test_the_figures_come_from_the_archive_in_a_fixed_number_of_queries(
    world, done_village, django_assert_max_num_queries
):
    client = login(world.manager_a)
    url = reverse("archives:village_summary", args=[done_village.pk])
    with django_assert_max_num_queries(16):
        page = client.get(url).text
    facts = page.split('id="summary-facts"', 1)[1]
    assert "3 / 3" in facts  # households filed / registered
    assert "2 / 3" in facts  # two with business with us (an account; a deposit)
    assert "3 / 2" in facts  # three family members, two working away
    assert "50,000" in facts  # average income of those who gave one: (60,000 + 40,000) / 2
    assert "1 户，50,000 元" in facts  # one household with a credit need
    assert "种养殖收入 2 (66.7%)" in page  # two of the three households live on farming
    assert "油茶 2" in page  # the most common business item first
    assert "武汉 2" in page


def test_the_manager_writes_the_notes_and_a_stale_page_is_refused(world, done_village):
    url = reverse("archives:village_summary", args=[done_village.pk])
    mine, theirs = login(world.manager_a), login(world.branch_head)
    page = mine.get(url).text
    version = page.split('name="version" value="', 1)[1].split('"', 1)[0]
    notes = {
        "situation": "全村3户，已全部建档。",
        "economy": "以油茶种植为主。",
        "income_sources": "种养殖和外出务工。",
        "financial_needs": "油茶扩种贷款。",
        "services": "开通手机银行1户。",
    }
    response = theirs.post(url, {**notes, "economy": "水稻为主", "version": version})
    assert response.status_code == 302
    response = mine.post(url, {**notes, "version": version})
    assert response.status_code == 200
    assert 'id="stale-edit"' in response.text
    assert VillageSummary.objects.get(village=done_village).economy == "水稻为主"
    # The page kept what was typed and carries the new version: a deliberate save goes through.
    again = response.text.split('name="version" value="', 1)[1].split('"', 1)[0]
    assert mine.post(url, {**notes, "version": again}).status_code == 302
    summary = VillageSummary.objects.get(village=done_village)
    assert (summary.economy, summary.updated_by) == ("以油茶种植为主。", world.manager_a)
    assert summary.history.count() == 2


@pytest.mark.parametrize("role", ["section_chief", "leader"])
def test_chiefs_and_leaders_read_the_summary_and_cannot_write_it(world, done_village, role):
    client = login(getattr(world, role))
    url = reverse("archives:village_summary", args=[done_village.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="situation"' not in page.text
    client.post(url, {"situation": "改", "version": ""})
    assert not VillageSummary.objects.filter(village=done_village).exists()


def test_the_pdf_carries_the_figures_and_the_notes(world, done_village, tmp_path):
    client = login(world.manager_a)
    client.post(
        reverse("archives:village_summary", args=[done_village.pk]),
        {"situation": "全村3户，已全部建档。", "economy": "以油茶种植为主。", "version": ""},
    )
    response = client.get(reverse("archives:village_summary_pdf", args=[done_village.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "summary.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "红星村一村一总结",
        "一、基本情况",
        "全村3户",
        "以油茶种植为主",
        "五、服务情况",
        "（未填写）",
    ):
        assert expected in text
    assert "油茶 2 户" in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            "test-artifacts/village-summary",
        ],
        check=True,
    )
