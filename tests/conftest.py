"""Personas shared by the tests: two villages of one branch, a second branch, every role."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from archives.models import Role
from tests.builders import (
    PASSWORD,
    login_request,
    make_branch,
    make_corporate,
    make_customer,
    make_user,
    make_village,
    stamp_login,
    verify_second_factor,
)
from tests.storage import on_s3, with_own_prefix


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` (row locks between two connections, triggers) test
    what only PostgreSQL has. On SQLite they are deselected, and said so, never
    skipped: `make test` runs them in its PostgreSQL pass."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept, left = [], []
    for item in items:
        (left if item.get_closest_marker("postgresql") else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
        config._postgresql_only = len(left)


def pytest_terminal_summary(terminalreporter, config):
    left = getattr(config, "_postgresql_only", 0)
    if left:
        terminalreporter.write_line(
            f"{left} PostgreSQL-only tests (row locks, triggers) deselected on SQLite; "
            "the PostgreSQL pass of `make test` runs them."
        )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, never Django's shared in-memory one.

    With an in-memory database the live server's request threads and the test
    thread all share one sqlite3 connection; two requests at once (a page and its
    thumbnails) then fail with "bad parameter or other API misuse". A file gives
    every thread its own connection, as `make run` has.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker, tmp_path_factory):
    """`seed_demo` run once for a test module (it takes seconds), rolled back after its last test.

    Works like TestCase.setUpTestData: the seeding stays in an open transaction and
    each test's own `db` transaction is a savepoint inside it. Yields the command's
    output and where it stored the demo photos: `demo_county.use(settings)` points a
    test's storage there (MEDIA_ROOT, or the S3 prefix of the PostgreSQL pass).
    """
    from django.conf import settings

    media = tmp_path_factory.mktemp("media")
    storages = (
        with_own_prefix(settings.STORAGES, "demo")
        if on_s3(settings.STORAGES)
        else settings.STORAGES
    )
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # DEBUG on, as `make run` seeds it: the demo logins with their demo password.
    demo = override_settings(MEDIA_ROOT=media, STORAGES=storages, PASSWORD_HASHERS=fast, DEBUG=True)

    def use(test_settings):
        test_settings.MEDIA_ROOT = media
        test_settings.STORAGES = storages

    with django_db_blocker.unblock(), demo:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield SimpleNamespace(output=out.getvalue(), media=media, use=use)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def own_stored_files(settings):
    """On S3 (the PostgreSQL pass of `make test`) each test stores under a key prefix of
    its own, as each test's MEDIA_ROOT is its own tmp_path on the filesystem."""
    if on_s3(settings.STORAGES):
        settings.STORAGES = with_own_prefix(settings.STORAGES)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The production hasher is slow on purpose; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Branch 1 holds village A (manager_a) and village B (manager_b); branch 2 holds village C."""
    branch1 = make_branch(name="城关支行", code="B01")
    branch2 = make_branch(name="七里坪支行", code="B02")
    manager_a = make_user(Role.ACCOUNT_MANAGER, username="manager_a", branches=[branch1])
    manager_a2 = make_user(Role.ACCOUNT_MANAGER, username="manager_a2", branches=[branch1])
    manager_b = make_user(Role.ACCOUNT_MANAGER, username="manager_b", branches=[branch1])
    manager_c = make_user(Role.ACCOUNT_MANAGER, username="manager_c", branches=[branch2])
    village_a = make_village(branch=branch1, name="A村", owners=[manager_a, manager_a2])
    village_b = make_village(branch=branch1, name="B村", owners=[manager_b])
    village_c = make_village(branch=branch2, name="C村", owners=[manager_c])
    ns = SimpleNamespace(
        branch1=branch1,
        branch2=branch2,
        village_a=village_a,
        village_b=village_b,
        village_c=village_c,
        manager_a=manager_a,
        manager_a2=manager_a2,
        manager_b=manager_b,
        manager_c=manager_c,
        branch_head=make_user(Role.BRANCH_HEAD, username="branch_head_1", branches=[branch1]),
        branch_head_2=make_user(Role.BRANCH_HEAD, username="branch_head_2", branches=[branch2]),
        section_chief=make_user(Role.SECTION_CHIEF, username="chief_1", branches=[branch1]),
        leader=make_user(Role.LEADER, username="leader_1", branches=[branch1]),
        head_office=make_user(Role.HEAD_OFFICE, username="head_office"),
        # Corporate credit customers (DOMAIN.md §5): branch 1's deputy head, a corporate
        # A and B manager in branch 1 and one in branch 2,
        # and head office's two departments.
        deputy_head=make_user(Role.DEPUTY_HEAD, username="deputy_1", branches=[branch1]),
        corp_a1=make_user(
            Role.ACCOUNT_MANAGER, username="corp_a1", branches=[branch1], corporate_manager=True
        ),
        corp_b1=make_user(
            Role.ACCOUNT_MANAGER, username="corp_b1", branches=[branch1], corporate_manager=True
        ),
        corp_c=make_user(
            Role.ACCOUNT_MANAGER, username="corp_c", branches=[branch2], corporate_manager=True
        ),
        corporate_finance=make_user(Role.CORPORATE_FINANCE, username="corp_finance"),
        credit_management=make_user(Role.CREDIT_MANAGEMENT, username="credit_mgmt"),
    )
    ns.company_1 = make_corporate(
        branch1, name="红安城关建材有限公司", team=[(ns.corp_a1, "A"), (ns.corp_b1, "B1")]
    )
    ns.company_2 = make_corporate(branch2, name="七里坪茶业有限公司", team=[(ns.corp_c, "A")])
    ns.customer_a = make_customer(village_a, name="王大山")
    ns.customer_b = make_customer(village_b, name="刘小河")
    ns.customer_c = make_customer(village_c, name="陈七里")
    return ns


def login(user) -> Client:
    """A client signed in as the user, past the second factor where one is required."""
    client = Client()
    assert client.login(request=login_request(), username=user.username, password=PASSWORD)
    stamp_login(client)
    if user.is_head_office:
        verify_second_factor(client, user)
    return client


@pytest.fixture
def as_user():
    return login
