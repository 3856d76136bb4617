"""Large fund movements (DOMAIN.md §5.5) through the public surface: the import (function,
command, template), the morning notice, the follow-ups, the dashboard's figures and the
key village customers' page."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from archives import movement_rules, movements, movements_template
from archives.models import Movement, MovementRules
from credit.models import MovementFollowUp
from credit.movements import movement_followups
from tests.builders import make_corporate
from tests.conftest import login

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in movements.COLUMNS]
TODAY = timezone.localdate()
WINDOW = movement_rules.notice_window(TODAY)
DAY = WINDOW[1]  # a day of today's notice
SEQUENCE = itertools.count(1000)


def extract(rows, headers=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = movements.SHEET
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def row(
    code, amount="12000000.00", *, seq="1", day=DAY, direction="支", bank="中国工商银行", cross=""
):
    return ["1820100000012345", day.isoformat(), seq, code, "客户", direction, bank, cross, amount]


def run(rows, *, dry_run=False, headers=HEADERS):
    return movements.import_movements(
        extract(rows, headers),
        filename="流水.xlsx",
        user=None,
        today=TODAY,
        now=timezone.now(),
        dry_run=dry_run,
    )


def make(code, amount, *, day=DAY, direction="out", cross=True, seq=None, customer=None):
    return Movement.objects.create(
        account="1820100000012345",
        date=day,
        sequence=seq or f"{next(SEQUENCE)}",
        identifier=code,
        direction=direction,
        counterparty_bank="中国工商银行" if cross else "红安农商银行",
        cross_bank=cross,
        amount=Decimal(amount),
        customer=customer,
        imported_at=timezone.now(),
    )


# --- the import -------------------------------------------------------------------


def test_the_import_writes_every_row_and_reimporting_it_adds_nothing(world):
    code = world.company_1.credit_code
    rows = [row(code), row(code, "800000", seq="2", direction="收", cross="否")]
    first = run(rows)
    assert first.ok
    assert first.created == 2
    stored = Movement.objects.get(sequence="1")
    assert (stored.direction, stored.cross_bank, stored.amount) == (
        "out",
        True,  # blank: derived from the counterparty bank
        Decimal("12000000.00"),
    )
    assert Movement.objects.get(sequence="2").cross_bank is False
    again = run(rows)
    assert (again.created, again.unchanged) == (0, 2)
    assert Movement.objects.count() == 2


def test_a_changed_row_updates_the_one_on_file_and_the_dry_run_lists_the_change(world):
    code = world.company_1.credit_code
    run([row(code)])
    dry = run([row(code, "13000000")], dry_run=True)
    assert dry.updated == 1
    assert [(c.old, c.new) for c in dry.changes] == [("12000000.00", "13000000.00")]
    assert Movement.objects.get().amount == Decimal("12000000.00")


def test_the_village_customer_an_identifier_names_is_linked(world):
    run([row(world.customer_a.id_number, "600000")])
    assert Movement.objects.get().customer == world.customer_a


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({3: ""}, "证件号码", "必填"),
        ({8: "-5"}, "交易金额", "0"),
        ({8: "1.234"}, "交易金额", "2"),
        ({8: "abc"}, "交易金额", "12000000.00"),
        ({5: "借贷"}, "收支方向", "收"),
        ({1: "2026-13-01"}, "交易日期", "2024-03-01"),
        ({7: "也许"}, "是否跨行", "是"),
    ],
)
def test_each_bad_cell_is_a_chinese_problem_and_nothing_is_written(world, cells, column, message):
    bad = row(world.company_1.credit_code, seq="9")
    for index, value in cells.items():
        bad[index] = value
    result = run([row(world.company_1.credit_code), bad])
    assert not result.ok
    assert not result.written
    assert [(p.row, p.column) for p in result.problems] == [(3, column)]
    assert message in result.problems[0].message
    assert Movement.objects.count() == 0


def test_a_future_date_and_a_repeated_key_are_refused(world):
    code = world.company_1.credit_code
    future = row(code, seq="2", day=TODAY + datetime.timedelta(days=1))
    result = run([row(code), row(code), future])
    assert [(p.row, p.column) for p in result.problems] == [(3, "交易流水号"), (4, "交易日期")]


def test_missing_columns_are_problems_of_row_1(world):
    result = run([], headers=HEADERS[:-1])
    assert [(p.row, p.column) for p in result.problems] == [(1, "交易金额")]


def test_the_command_refuses_a_file_with_problems_and_prints_them(world, tmp_path):
    path = tmp_path / "流水.xlsx"
    path.write_bytes(extract([row(world.company_1.credit_code, "-1")]).getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_movements", str(path), stdout=out)
    assert "交易金额" in out.getvalue()
    assert Movement.objects.count() == 0
    path.write_bytes(extract([row(world.company_1.credit_code)]).getvalue())
    call_command("import_movements", str(path), stdout=out)
    call_command("import_movements", str(path), stdout=out)
    assert Movement.objects.count() == 1


def test_the_template_has_the_headers_and_the_notes():
    book = load_workbook(io.BytesIO(movements_template.build_template()))
    assert [c.value for c in book[movements.SHEET][1]] == HEADERS
    assert "说明" in book.sheetnames


def test_head_office_uploads_an_extract_as_a_job(world, django_capture_on_commit_callbacks):
    client = login(world.head_office)
    upload = extract([row(world.company_1.credit_code)])
    upload.name = "流水.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archives:movements_import"), {"file": upload})
    assert response.status_code == 302
    assert Movement.objects.count() == 1


# --- the morning notice -------------------------------------------------------------


def test_the_notice_takes_movements_strictly_above_ten_million(world):
    code = world.company_1.credit_code
    make(code, "10000000.00")
    above = make(code, "10000000.01", direction="in", cross=False)
    page = login(world.corp_a1).get(reverse("credit:movements"))
    assert [i.movement for i in page.context["items"]] == [above]


def test_the_notice_goes_to_the_a_manager_and_the_branch_leaders_only(world):
    moved = make(world.company_1.credit_code, "20000000")
    for user, seen in [
        (world.corp_a1, True),
        (world.corp_b1, False),  # B1 is not told
        (world.branch_head, True),
        (world.deputy_head, True),
        (world.corporate_finance, True),
        (world.branch_head_2, False),
        (world.corp_c, False),
    ]:
        items = login(user).get(reverse("credit:movements")).context["items"]
        assert ([i.movement for i in items] == [moved]) is seen, user


def test_a_chosen_day_shows_that_days_movements(world):
    code = world.company_1.credit_code
    old = make(code, "20000000", day=DAY - datetime.timedelta(days=10))
    client = login(world.branch_head)
    assert client.get(reverse("credit:movements")).context["items"] == []
    page = client.get(reverse("credit:movements"), {"day": old.date.isoformat()})
    assert [i.movement for i in page.context["items"]] == [old]


def test_the_notice_uses_the_thresholds_in_force(world):
    MovementRules.objects.create(
        effective_from=DAY - datetime.timedelta(days=400),
        corporate_notice_above=Decimal(30_000_000),
    )
    make(world.company_1.credit_code, "20000000")
    assert login(world.corp_a1).get(reverse("credit:movements")).context["items"] == []


def test_the_notice_page_needs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    client = login(world.branch_head)
    make(world.company_1.credit_code, "20000000", seq="a")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("credit:movements"))
    for n in range(10):
        other = make_corporate(world.branch1, team=[(world.corp_b1, "A")])
        make(other.credit_code, "20000000", seq=str(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("credit:movements"))
    assert len(page.context["items"]) == 11


def test_the_credit_home_shows_the_count_of_todays_notice(world):
    make(world.company_1.credit_code, "20000000")
    make(world.company_1.credit_code, "5000000")
    page = login(world.corp_a1).get(reverse("credit:home"))
    assert b'data-notice-count="1"' in page.content


# --- the follow-ups -----------------------------------------------------------------


def test_the_a_manager_records_the_follow_up_once(world):
    moved = make(world.company_1.credit_code, "10000000.00")
    client = login(world.corp_a1)
    url = reverse("credit:movement_follow_up", args=[moved.pk])
    data = {"learnt": "支付货款", "action": "已约客户回款", "funds_back": "yes"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "learnt": "第二次"}).status_code == 302
    follow_up = MovementFollowUp.objects.get()
    assert (follow_up.learnt, follow_up.recorded_by) == ("支付货款", world.corp_a1)
    # Exactly 10,000,000.00 needs a follow-up but is not on the notice (above is strict).
    assert login(world.branch_head).get(reverse("credit:movements")).context["items"] == []
    page = login(world.branch_head).get(reverse("credit:movement_follow_ups"))
    assert page.context["items"][0].state == "recorded"
    assert "支付货款" in page.content.decode()


def test_an_empty_follow_up_is_refused_in_chinese(world):
    moved = make(world.company_1.credit_code, "10000000.00")
    page = login(world.corp_a1).post(reverse("credit:movement_follow_up", args=[moved.pk]), {})
    assert page.status_code == 200
    assert "必填" in page.content.decode()
    assert not MovementFollowUp.objects.exists()


@pytest.mark.parametrize(
    ("amount", "direction", "cross"),
    [("9999999.99", "out", True), ("20000000", "in", True), ("20000000", "out", False)],
)
def test_no_follow_up_is_recorded_where_none_is_needed(world, amount, direction, cross):
    moved = make(world.company_1.credit_code, amount, direction=direction, cross=cross)
    url = reverse("credit:movement_follow_up", args=[moved.pk])
    assert login(world.corp_a1).get(url).status_code == 404


def test_the_follow_up_list_shows_overdue_then_open(world):
    code = world.company_1.credit_code
    old = make(code, "15000000", day=DAY - datetime.timedelta(days=10))
    new = make(code, "15000000", day=TODAY)
    make(code, "15000000", direction="in")
    page = login(world.deputy_head).get(reverse("credit:movement_follow_ups"))
    assert [(i.movement, i.state) for i in page.context["items"]] == [
        (old, "overdue"),
        (new, "open"),
    ]
    assert page.context["counts"] == {"overdue": 1, "open": 1, "recorded": 0}


def test_movement_followups_counts_per_branch(world):
    code = world.company_1.credit_code
    start = DAY - datetime.timedelta(days=30)
    make(code, "15000000", day=start)
    done = make(code, "10000000", day=DAY)
    make(code, "9999999.99", day=DAY)
    make(world.company_2.credit_code, "30000000", day=start - datetime.timedelta(days=1))
    MovementFollowUp.objects.create(
        movement=done,
        customer=world.company_1,
        learnt="x",
        action="y",
        funds_back="no",
        recorded_by=world.corp_a1,
        recorded_at=timezone.now(),
    )
    figures = movement_followups([world.branch1, world.branch2], start, DAY, TODAY)
    assert figures == {world.branch1.pk: (2, 1, 1)}


# --- key village customers ----------------------------------------------------------


def make_key(customer, maintainer):
    from classification.models import FollowUp, Maintainer

    FollowUp.objects.create(customer=customer, tier="key_follow_up", rank=1)
    Maintainer.objects.create(customer=customer, user=maintainer, duty="dedicated", since=DAY)


def test_key_customers_movements_of_at_least_half_a_million_notify_the_maintainers(world):
    make_key(world.customer_a, world.manager_a)
    at = make("X", "500000.00", customer=world.customer_a, direction="in", cross=False)
    make("X", "499999.99", customer=world.customer_a)
    make("Y", "900000", customer=world.customer_b)  # not a key customer
    url = reverse("classification:key_movements")
    assert list(login(world.manager_a).get(url).context["movements"]) == [at]
    assert list(login(world.branch_head).get(url).context["movements"]) == [at]
    assert list(login(world.manager_b).get(url).context["movements"]) == []
    assert list(login(world.branch_head_2).get(url).context["movements"]) == []
    mine = login(world.manager_a).get(reverse("classification:my_customers"))
    assert b'data-key-movements="1"' in mine.content


def test_the_follow_ups_and_key_movements_pages_need_a_constant_number_of_queries(
    world, django_assert_max_num_queries
):
    from tests.builders import make_customer

    make_key(world.customer_a, world.manager_a)
    make(world.company_1.credit_code, "20000000", seq="a")
    make("X", "600000", customer=world.customer_a, seq="v")
    head, manager = login(world.branch_head), login(world.corp_a1)
    counts = {}
    for client, url in [
        (manager, "credit:movement_follow_ups"),
        (head, "classification:key_movements"),
    ]:
        with django_assert_max_num_queries(15) as few:
            client.get(reverse(url))
        counts[url] = len(few.captured_queries)
    for n in range(8):
        other = make_corporate(world.branch1, team=[(world.corp_a1, "A")])
        make(other.credit_code, "20000000", seq=f"c{n}")
        customer = make_customer(world.village_a, name=f"客户{n}")
        make_key(customer, world.manager_a)
        make("X", "600000", customer=customer, seq=f"v{n}")
    for client, url in [
        (manager, "credit:movement_follow_ups"),
        (head, "classification:key_movements"),
    ]:
        with django_assert_max_num_queries(counts[url]):
            page = client.get(reverse(url))
        assert len(page.context["items" if url.startswith("credit") else "movements"]) == 9


# --- the corporate dashboard ----------------------------------------------------------


def test_the_dashboard_counts_this_months_large_outflows_followed_up(world):
    from django.urls import reverse

    code = world.company_1.credit_code
    big = make(code, "10000000", day=TODAY)  # exactly the threshold: needs a follow-up
    make(code, "9999999.99", day=TODAY)  # one cent under: does not
    make(code, "50000000", day=TODAY, cross=False)  # within the bank: does not
    client = login(world.corporate_finance)

    def cell(branch):
        page = client.get(reverse("credit:dashboard")).content.decode()
        row = page.split(f'data-branch="{branch.code}"')[-1].split("</tr>")[0]
        return row.split('movements-followed"')[1].split("</td>")[0]

    assert "0 / 1" in cell(world.branch1)
    assert 'class="warn"' in cell(world.branch1)
    assert "0 / 0" in cell(world.branch2)
    MovementFollowUp.objects.create(
        movement=big,
        customer=world.company_1,
        learnt="归还他行贷款",
        action="约见财务负责人",
        funds_back="yes",
        recorded_by=world.corp_a1,
        recorded_at=timezone.now(),
    )
    assert "1 / 1" in cell(world.branch1)
    assert 'class="warn"' not in cell(world.branch1)
