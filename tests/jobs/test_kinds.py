"""Every registered job kind: its page, status and file are head office's, a 404 for the rest."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from jobs import registry
from jobs.models import Job
from tests.conftest import login

pytestmark = pytest.mark.django_db

KINDS = [
    "archive_import",
    "balances_import",
    "movements_import",
    "ledger_import",
    "credit_figures_import",
    "month_close",
    "statements_xlsx",
    "statements_pdf",
]
# Kinds whose jobs are their starter's alone (tests/archives/test_export.py tries them).
OWN_KINDS = ["archive_export"]
OTHERS = ["manager_a", "branch_head", "section_chief", "leader"]


def test_the_registry_holds_exactly_the_kinds_of_the_apps():
    registered = {key for key in registry._KINDS if not key.startswith("test_")}
    assert registered == set(KINDS) | set(OWN_KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_finished_job_of_each_kind_is_head_offices_alone(world, settings, tmp_path, kind):
    settings.MEDIA_ROOT = tmp_path
    job = Job.objects.create(
        kind=kind,
        subject="2026-10",
        params={"month": datetime.date(2026, 10, 1).isoformat(), "dry_run": True},
        status=Job.Status.DONE,
        created_by=world.head_office,
    )
    job.result_file.save("结果.xlsx", ContentFile(b"PK"))
    urls = [reverse(name, args=[job.pk]) for name in ("jobs:job", "jobs:status", "jobs:file")]

    head_office = login(world.head_office)
    assert [head_office.get(url).status_code for url in urls] == [200, 200, 200]
    for persona in OTHERS:
        client = login(getattr(world, persona))
        assert [client.get(url).status_code for url in urls] == [404, 404, 404], persona
