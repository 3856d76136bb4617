"""The upgrade that brings the password rules asks every existing user for a new password."""

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from archives.models import User

BEFORE = [("archives", "0014_corporate_roles_branch_kind")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_users(transactional_db):
    apps = _migrate(BEFORE)
    OldUser = apps.get_model("archives", "User")
    try:
        for username, password, active in [
            ("signs_in", make_password("demo12345"), True),
            ("no_password", make_password(None), False),
            ("left", make_password("demo12345"), False),
            ("service", "!" + "x" * 40, True),
        ]:
            OldUser.objects.create(
                username=username, password=password, is_active=active, role="account_manager"
            )
        yield
    finally:
        _migrate(_latest())


@pytest.mark.parametrize(("debug", "asked"), [(False, {"signs_in"}), (True, set())])
def test_active_users_with_a_password_must_choose_a_new_one(old_users, settings, debug, asked):
    settings.DEBUG = debug
    _migrate(_latest())
    assert (
        set(User.objects.filter(must_change_password=True).values_list("username", flat=True))
        == asked
    )
