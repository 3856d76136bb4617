"""Writing a checked archive import: every change in one transaction, history kept.

Between the check and the write the customers and members are kept as tuples of
their column values (freeze, thaw). On PostgreSQL the customers' rows and their
history records are written by set-based SQL; other databases take the library calls.
"""

import datetime
from decimal import Decimal
from itertools import batched

from django.conf import settings
from django.db import connection, transaction
from django.db.models.deletion import Collector
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..choices import PERSON_HOUSEHOLD_TYPES
from ..links import link_households
from ..models import Customer, FamilyMember
from ..signals import customers_written
from ..survey import HAS_FAMILY

# Customers and members are kept as tuples of their column values between the
# check and the write: a county's 170,000 rows fit in a fraction of the memory
# model instances would need.
ATTNAMES = tuple(f.attname for f in Customer._meta.concrete_fields)
TRACKED = tuple(a for a in ATTNAMES if a not in ("id", "updated_at"))
FIELD_NAMES = {f.attname: f.name for f in Customer._meta.concrete_fields}
ID_NUMBER = ATTNAMES.index("id_number")
MEMBER_ATTNAMES = tuple(f.attname for f in FamilyMember._meta.concrete_fields)
MEMBER_FIELDS = (
    "name",
    "relation",
    "id_number",
    "birth_date",
    "phone",
    "works_away",
    "away_location",
)


def tracked_values(customer):
    return {name: getattr(customer, name) for name in TRACKED}


def freeze(obj, attnames=ATTNAMES, shared=None):
    """The values of a model instance as a tuple; equal amounts and dates share one object."""
    values = (getattr(obj, name) for name in attnames)
    if shared is None:
        return tuple(values)
    return tuple(
        shared.setdefault((type(v), v), v) if isinstance(v, Decimal | datetime.date) else v
        for v in values
    )


def thaw(model, values, attnames=ATTNAMES):
    return model(**dict(zip(attnames, values, strict=True)))


def member_key(values):
    """Who a family row is: the ID number if it has one, else the name."""
    name, _relation, id_number, *_rest = values
    return ("id", id_number) if id_number else ("name", name)


@transaction.atomic
def write(run):
    """Write what the archive import `run` checked: customers, then their family members."""
    history = {
        "default_user": run.user,
        "default_date": run.now,
        "default_change_reason": run.reason,
    }
    new_households = {}
    villages = set()
    for batch in batched(run.creates, run.chunk):
        objs = create_customers([thaw(Customer, v) for v in batch], history)
        for c in objs:  # the household row of a person wins over their business rows
            if c.customer_type in HAS_FAMILY and (
                c.customer_type in PERSON_HOUSEHOLD_TYPES or c.id_number not in new_households
            ):
                new_households[c.id_number] = c.pk
        villages.update(c.village_id for c in objs)
    fields = sorted(FIELD_NAMES[a] for a in run.update_fields)
    for batch in batched(run.updates, run.chunk):
        objs = [thaw(Customer, v) for v in batch]
        update_customers(objs, fields, run.now, history)
        villages.update(c.village_id for c in objs)
    for batch in batched(run.member_creates, run.chunk):
        objs = []
        for key, values in batch:
            member = FamilyMember(**dict(zip(MEMBER_FIELDS, values, strict=True)))
            member.customer_id = run.households[key].pk or new_households[key]
            objs.append(member)
        bulk_create_with_history(objs, FamilyMember, **history)
    for batch in batched(run.member_updates, run.chunk):
        objs = [thaw(FamilyMember, v, MEMBER_ATTNAMES) for v in batch]
        bulk_update_with_history(objs, FamilyMember, sorted(run.member_update_fields), **history)
    for batch in batched(run.member_deletes, run.chunk):
        objs = [thaw(FamilyMember, v, MEMBER_ATTNAMES) for v in batch]
        for obj in objs:  # simple_history records the deletion with this user and time
            obj._history_user, obj._history_date = run.user, run.now
            obj._change_reason = run.reason
        collector = Collector(using="default", origin=objs)
        collector.collect(objs)
        collector.delete()
    link_households({values[ID_NUMBER] for values in (*run.creates, *run.updates)} - {""})
    if villages:
        customers_written.send(sender=Customer, village_ids=villages)


# On PostgreSQL the customers' writes below are SQL the database runs for a whole
# batch: Django's bulk_update writes a CASE with a WHEN per row and field, and
# simple_history's bulk_history_create binds ~50 values per row; at 1,000 rows a
# batch, building those statements cost more than checking the rows. Other
# databases (SQLite in the tests) take the library calls.


def create_customers(objs, history):
    if connection.vendor != "postgresql":
        return bulk_create_with_history(objs, Customer, **history)
    objs = Customer.objects.bulk_create(objs)
    copy_history([obj.pk for obj in objs], "+", **history)
    return objs


def update_customers(objs, fields, now, history):
    """Write `fields` of every customer, set its updated_at to `now` and record the change."""
    if connection.vendor != "postgresql":
        for obj in objs:
            obj.updated_at = now
        bulk_update_with_history(objs, Customer, [*fields, "updated_at"], **history)
        return
    qn, meta = connection.ops.quote_name, Customer._meta
    pk, columns = meta.pk, [meta.get_field(name) for name in fields]
    row = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in (pk, *columns))
    params = [meta.get_field("updated_at").get_db_prep_save(now, connection)]
    for obj in objs:
        params.append(obj.pk)
        params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
    sets = "".join(f"{qn(f.column)} = v.{qn(f.column)}, " for f in columns)
    names = ", ".join(qn(f.column) for f in (pk, *columns))
    sql = (
        f"UPDATE {qn(meta.db_table)} AS t SET {sets}{qn('updated_at')} = %s"
        f" FROM (VALUES {', '.join([f'({row})'] * len(objs))}) AS v ({names})"
        f" WHERE t.{qn(pk.column)} = v.{qn(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    copy_history([obj.pk for obj in objs], "~", **history)


def copy_history(pks, history_type, *, default_user, default_date, default_change_reason):
    """The history records bulk_history_create would write, copied from the rows just written.

    Every tracked column, and who, when, why and how (+ or ~), in one INSERT … SELECT.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    record, qn = Customer.history.model, connection.ops.quote_name
    tracked = {f.attname: f.column for f in record.tracked_fields}
    given = {
        "history_date": default_date,
        "history_user_id": default_user.pk if default_user else None,
        "history_change_reason": default_change_reason,
        "history_type": history_type,
    }
    columns, values, params = [], [], []
    for f in record._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(qn(f.column))
        if f.attname in tracked:
            values.append(f"t.{qn(tracked[f.attname])}")
        else:  # a column this copy does not know is a KeyError: fail, never guess
            values.append("%s")
            params.append(f.get_db_prep_save(given[f.attname], connection))
    pk = qn(Customer._meta.pk.column)
    sql = (
        f"INSERT INTO {qn(record._meta.db_table)} ({', '.join(columns)})"
        f" SELECT {', '.join(values)} FROM {qn(Customer._meta.db_table)} AS t"
        f" WHERE t.{pk} IN ({', '.join(['%s'] * len(pks))}) ORDER BY t.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *pks])
