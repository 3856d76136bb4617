"""The application's PostgreSQL connections: without JIT (docs/deployment.md), pgbouncer-ready."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_connections_have_jit_off():
    if connection.vendor != "postgresql":
        assert "OPTIONS" not in connection.settings_dict or "jit" not in str(
            connection.settings_dict["OPTIONS"]
        )
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def _server_side_cursors_disabled(value):
    """DISABLE_SERVER_SIDE_CURSORS of the default database, as settings.py reads it with `value`."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_DISABLE_SERVER_SIDE_CURSORS"}
    if value is not None:
        env["DATABASE_DISABLE_SERVER_SIDE_CURSORS"] = value
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "hongan_visits.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def test_server_side_cursors_are_turned_off_for_pgbouncer_in_transaction_mode():
    """docs/scaling.md: behind pgbouncer in transaction mode iterator() must not hold a cursor."""
    assert _server_side_cursors_disabled(None) == "False"
    assert _server_side_cursors_disabled("false") == "False"
    assert _server_side_cursors_disabled("true") == "True"
