"""Unique violations met at a write: which named constraint, so the caller can answer in Chinese.

Two requests may both pass a form's "is it already there?" check and then both
write; the database's unique constraint stops the second. `violations(Model)` runs
the write in a savepoint (the transaction stays usable, e.g. to fetch the record
that won) and turns the IntegrityError into `Violation(constraint_name)`; the
database's message, which carries the duplicate value (a full ID number), is dropped.
"""

from contextlib import contextmanager

from django.db import IntegrityError, models, transaction

SQLITE_UNIQUE = "UNIQUE constraint failed: "


class Violation(Exception):
    def __init__(self, constraint: str):
        self.constraint = constraint
        super().__init__(constraint)


@contextmanager
def violations(model):
    """Run the block in a savepoint; a unique violation of `model` becomes Violation."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        name = constraint_of(error, model)
        if name is None:
            raise
        raise Violation(name) from None


def constraint_of(error: IntegrityError, model) -> str | None:
    """The name of `model`'s unique constraint that `error` reports, if it reports one.

    PostgreSQL names the constraint (psycopg's diag); SQLite names the columns
    ("UNIQUE constraint failed: table.a, table.b"), matched to the constraint's fields.
    """
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return name if name in _unique_constraints(model) else None
    text = str(error)
    if not text.startswith(SQLITE_UNIQUE):
        return None
    columns = {part.strip().rsplit(".", 1)[-1] for part in text[len(SQLITE_UNIQUE) :].split(",")}
    for constraint_name, fields in _unique_constraints(model).items():
        if {model._meta.get_field(f).column for f in fields} == columns:
            return constraint_name
    return None


def _unique_constraints(model) -> dict[str, tuple[str, ...]]:
    return {
        c.name: tuple(c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    }
