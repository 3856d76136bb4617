"""PostgreSQL refuses UPDATE and DELETE on the access log of personal data (append-only).

A backstop behind the model's own refusal (archives/audit.py) for any write that does
not go through the ORM. TRUNCATE is left alone: it is what a test run's flush uses.
Other databases keep only the model's refusal.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION archives_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'archives_personaldataaccess is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER archives_access_log_append_only
    BEFORE UPDATE OR DELETE ON archives_personaldataaccess
    FOR EACH ROW EXECUTE FUNCTION archives_access_log_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS archives_access_log_append_only ON archives_personaldataaccess;
DROP FUNCTION IF EXISTS archives_access_log_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("archives", "0011_personal_data_access_log")]

    operations = [migrations.RunPython(create, drop)]
