"""seed_demo on a database that is not the module's shared demo county: refusal and scale."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archives.models import Branch, Customer, User


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True  # the development demo of `make run`; tests/demo/test_seed_demo_production.py has DEBUG off


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_a_database_with_other_data_is_refused(db):
    Branch.objects.create(code="X1", name="别的支行")
    with pytest.raises(CommandError):
        seed()


def test_scale_n_means_about_n_customers(db):
    seed(scale="700", password="another-pass-1")
    assert Customer.objects.count() == 700
    assert User.objects.get(username="head_office").check_password("another-pass-1")
