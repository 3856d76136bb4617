"""The ledger import: an empty cell keeps a line's quantity, 清空 clears it, a NUL is refused."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.models.ledger import LedgerEntry
from jobs.models import Job
from tests.assessment.test_ledger import NOVEMBER, SHEET, H, extract, line, run
from tests.conftest import login

pytestmark = pytest.mark.django_db

KALEFU = "卡乐付"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def staff(world):
    world.manager_a.staff_no = "1001"
    world.manager_a.save(update_fields=["staff_no"])
    return world


@pytest.fixture
def terminal(staff):
    """A 卡乐付 terminal line on file with its monthly averages."""
    result = run(
        extract(
            [line("1001", KALEFU, item_ref="T-01", count=1, avg_tx_count=6, avg_tx_amount=12000)]
        ),
        user=staff.head_office,
    )
    assert result.ok, result.problems
    return LedgerEntry.objects.get(item_ref="T-01")


def test_empty_cells_keep_the_quantities_of_a_line_on_file(staff, terminal):
    data = extract([line("1001", KALEFU, item_ref="T-01", avg_tx_count=8)])
    result = run(data, user=staff.head_office)
    assert (result.updated, result.ok) == (1, True)
    terminal.refresh_from_db()
    assert (terminal.count, terminal.avg_tx_count, terminal.avg_tx_amount) == (
        1,
        Decimal("8.00"),
        Decimal("12000.00"),
    )
    assert [(c.subject, c.column, c.old, c.new) for c in result.changes] == [
        ("1001 2026-11 卡乐付 T-01", H["avg_tx_count"], "6.00", "8")
    ]


def test_qing_kong_clears_only_what_the_item_may_leave_out(staff, terminal):
    untaken = extract([line("1001", KALEFU, item_ref="T-01", amount="清空")])
    assert run(untaken, user=staff.head_office).ok  # 卡乐付 takes no amount

    required = run(extract([line("1001", KALEFU, item_ref="T-01", avg_tx_amount="清空")]))
    assert [(p.row, p.column) for p in required.problems] == [(2, H["avg_tx_amount"])]
    terminal.refresh_from_db()
    assert terminal.avg_tx_amount == Decimal("12000.00")

    refused = run(extract([line("清空", "定期存款", amount=100)]), dry_run=True)
    assert [(p.row, p.column) for p in refused.problems] == [(2, H["staff_no"])]
    assert "清空" in refused.problems[0].message


def test_a_nul_byte_in_a_ledger_cell_is_a_problem_of_that_cell_and_the_job_ends(staff, media):
    text = f"{H['staff_no']},{H['month']},{H['kind']},{H['amount']}\r\n1001\x00,2026-11,定期存款,100\r\n"
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "台账.csv"

    login(staff.head_office).post(
        reverse("assessment:ledger_import"), {"file": upload, "dry_run": "on"}
    )

    job = Job.objects.get()
    assert job.status == "done"
    assert [(e["sheet"], e["row"], e["column"]) for e in job.errors] == [(SHEET, 2, H["staff_no"])]
    assert "单元格 A2 含有空字符" in job.errors[0]["message"]
    assert not LedgerEntry.objects.filter(month=NOVEMBER).exists()
