"""A PostgreSQL trigger refuses any write into a closed month: the backstop of assessment/months.py.

Every write path of the application locks the month's row and re-checks it
(lock_open_month). These triggers catch what goes round them (a shell, a script, a
future write path that forgets): an INSERT, UPDATE or DELETE of a row whose month is
closed raises, on ledger lines, field days, photo findings, rewards, adjustments,
branch judgements and locked statements. The check shares the month's row lock
(FOR SHARE), so it also waits for a close in progress instead of slipping past it.
Photos themselves are left out: they price nothing, and their files may be reworked.
On SQLite nothing is installed.
"""

from django.db import migrations

# (table, column holding the month or the day, how to reach the day from it)
GUARDED = (
    ("assessment_ledgerentry", "month", "day"),
    ("assessment_fieldday", "date", "day"),
    ("assessment_finding", "photo_id", "photo"),
    ("assessment_reward", "month", "day"),
    ("assessment_adjustment", "month", "day"),
    ("assessment_branchjudgement", "month", "day"),
    ("assessment_statementsnapshot", "month", "day"),
)

FUNCTIONS = """
CREATE OR REPLACE FUNCTION assessment_day_of(via text, ref text) RETURNS date AS $$
BEGIN
    IF ref IS NULL THEN
        RETURN NULL;
    ELSIF via = 'photo' THEN
        RETURN (SELECT d.date FROM assessment_photo p
                JOIN assessment_fieldday d ON d.id = p.field_day_id
                WHERE p.id = ref::bigint);
    END IF;
    RETURN ref::date;
END
$$ LANGUAGE plpgsql STABLE;

CREATE OR REPLACE FUNCTION assessment_month_must_be_open(day date) RETURNS void AS $$
DECLARE
    month_status text;
BEGIN
    IF day IS NULL THEN
        RETURN;
    END IF;
    SELECT status INTO month_status FROM assessment_month
        WHERE month = date_trunc('month', day)::date FOR SHARE;
    IF month_status = 'closed' THEN
        RAISE EXCEPTION 'assessment month % is closed: nothing in it may change',
            to_char(day, 'YYYY-MM') USING ERRCODE = 'check_violation';
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION assessment_refuse_closed_month() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM assessment_month_must_be_open(
            assessment_day_of(TG_ARGV[1], to_jsonb(OLD) ->> TG_ARGV[0]));
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM assessment_month_must_be_open(
            assessment_day_of(TG_ARGV[1], to_jsonb(NEW) ->> TG_ARGV[0]));
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS assessment_refuse_closed_month();
DROP FUNCTION IF EXISTS assessment_month_must_be_open(date);
DROP FUNCTION IF EXISTS assessment_day_of(text, text);
"""


def trigger_name(table):
    return f"{table}_month_open"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS, params=None)  # no placeholders: % is the RAISE format
    for table, column, via in GUARDED:
        schema_editor.execute(
            f"CREATE TRIGGER {trigger_name(table)} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION assessment_refuse_closed_month('{column}', '{via}')"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _column, _via in GUARDED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger_name(table)} ON {table}")
    schema_editor.execute(DROP_FUNCTIONS, params=None)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0005_statement_jobs_into_jobs")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
