"""The application's PostgreSQL connections run without JIT (docs/deployment.md)."""

import pytest
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
