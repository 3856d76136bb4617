"""The floors of the archive import: calamine's parse, and that parse plus set-based writes.

The second floor does what the import's written run must do at least, in the fewest
statements PostgreSQL offers: every cell parsed (both sheets), the coded columns
turned to their codes by a dict lookup, the customer rows sent with one COPY into a
temporary table, one UPDATE … FROM per key (ID number per type, credit code) that
keeps what a blank cell leaves (COALESCE), and the history records copied by
INSERT … SELECT. It checks nothing: no ID-number check digit, no mobile, no
duplicate, no per-cell message. The family sheet is parsed; the bench file's members
are those on file, so neither the import nor this floor writes them.
"""

import io
import json

from django.db import connection
from python_calamine import CalamineWorkbook


def parse(data: bytes) -> list[tuple[str, list[list]]]:
    """Every cell of every sheet, as calamine hands them over."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for name in workbook.sheet_names:
        sheets.append((name, list(workbook.get_sheet_by_name(name).iter_rows())))
    workbook.close()
    return sheets


def _text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _copy_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _converters():
    from archives import sheets

    converters = {}
    for column in sheets.IMPORT_COLUMNS:
        if column.kind == "choice":
            lookup = sheets.choice_lookup(column.choices)
            converters[column.name] = lambda v, lookup=lookup: lookup.get(sheets.normalize(v), "")
        elif column.kind == "products":
            lookup = sheets.choice_lookup(column.choices)
            converters[column.name] = lambda v, lookup=lookup: json.dumps(
                [lookup[sheets.normalize(p)] for p in sheets.LIST_SEPARATORS.split(v) if p]
            )
        elif column.kind == "boolean":
            converters[column.name] = lambda v: (
                "t" if sheets.normalize(v) in sheets.TRUE_WORDS else "f"
            )
        else:
            converters[column.name] = _text
    return converters


def parse_and_write(data: bytes, now) -> int:
    """Parse the file and write its customers set-based; the number of customers updated."""
    from archives import sheets
    from archives.imports.writes import copy_history
    from archives.models import Customer

    parsed = dict(parse(data))
    rows = parsed[sheets.CUSTOMER_SHEET]
    lookup = sheets.header_lookup(Customer, sheets.IMPORT_COLUMNS)
    header = [lookup.get(sheets.normalize(str(h))) for h in rows[0]]
    names = [c.name for c in header if c is not None and c.name != "group"]
    index = {c.name: i for i, c in enumerate(header) if c is not None}
    convert = _converters()
    buffer = io.StringIO()
    for values in rows[1:]:
        out = []
        for name in names:
            value = values[index[name]]
            out.append("\\N" if value == "" else _copy_text(convert[name](value)))
        buffer.write("\t".join(out) + "\n")
    meta, qn = Customer._meta, connection.ops.quote_name
    fields = {
        name: meta.get_field(name) for name in names if name not in ("village", "customer_type")
    }
    updated = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE import_floor ({', '.join(f'{qn(n)} text' for n in names)})"
            " ON COMMIT DROP"
        )
        with cursor.copy(
            f"COPY import_floor ({', '.join(qn(n) for n in names)}) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        sets = ", ".join(
            f"{qn(f.column)} = COALESCE(CAST(v.{qn(n)} AS {f.db_type(connection)}),"
            f" t.{qn(f.column)})"
            for n, f in fields.items()
            if n not in ("id_number", "credit_code")
        )
        table = qn(meta.db_table)
        for key, other in (("id_number", "credit_code"), ("credit_code", None)):
            alone = f" AND v.{qn(other)} IS NULL" if other in names else ""  # persons only
            cursor.execute(
                f"UPDATE {table} AS t SET {sets}, village_id = vl.id, updated_at = %s"
                f" FROM import_floor AS v JOIN archives_village AS vl ON vl.code = v.village"
                f" WHERE t.{qn(key)} = v.{qn(key)}"
                f" AND t.customer_type = v.customer_type{alone} RETURNING t.id",
                [now],
            )
            updated += [pk for (pk,) in cursor.fetchall()]
    for start in range(0, len(updated), 5000):
        copy_history(
            updated[start : start + 5000],
            "~",
            default_user=None,
            default_date=now,
            default_change_reason="floor",
        )
    return len(updated)
