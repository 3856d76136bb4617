"""Head office edits the rules on Chinese forms, one labelled field per figure, and sees what
changed from the version before: the rulebook and the photo-evidence thresholds (issue 13;
the rate table: tests/assessment/test_statements.py)."""

import datetime

import pytest
from django.urls import reverse

from assessment.models import EvidenceSettings
from classification.models import Rulebook
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db


def test_a_new_rulebook_shows_each_figure_changed_from_the_one_before(world):
    before = Rulebook.objects.order_by("-effective_from").first()
    client = login(world.head_office)
    add = reverse("admin:classification_rulebook_add")
    page = client.get(add)
    data = posted(page.context["adminform"].form)
    data.update(
        effective_from="2027-01-04",
        key_limit=str((before.key_limit if before else 50) + 10),
        note="扩大重点跟进范围",
    )
    assert client.post(add, data).status_code == 302
    listing = client.get(reverse("admin:classification_rulebook_changelist")).text
    old = before.key_limit if before else 50
    assert f"重点跟进：支行排名前 N 名 {old} → {old + 10}" in listing
    rulebook = Rulebook.objects.get(effective_from=datetime.date(2027, 1, 4))
    change = client.get(reverse("admin:classification_rulebook_change", args=[rulebook.pk])).text
    assert f"{old} → {old + 10}" in change


def test_the_evidence_thresholds_show_their_last_change(world):
    client = login(world.head_office)
    settings_row = EvidenceSettings.objects.create()
    url = reverse("admin:assessment_evidencesettings_change", args=[settings_row.pk])
    data = posted(client.get(url).context["adminform"].form)
    data["max_distance_km"] = "5"
    assert client.post(url, data).status_code == 302
    page = client.get(url).text
    assert "3.00 → 5.00" in page
    listing = client.get(reverse("admin:assessment_evidencesettings_changelist")).text
    assert "3.00 → 5.00" in listing
