"""Merging two records of one person (DOMAIN.md §7): everything moves to the kept record.

Every foreign key pointing at Customer, in every app, is found through
`Customer._meta.related_objects`, so archives names no higher app: family members,
visits, classifications, follow-ups, overrides, messages, businesses linked to a
household, earlier merges. Each relation moves in one UPDATE; where a unique
constraint allows one row per customer (one classification a week, one follow-up
row) and the kept record already has it, the kept record's row stays and the merged
record's is dropped (counted in the audit row). Then the merged record is deleted:
its history rows stay under its old id, a CustomerMerge row says who merged what,
and the kept record's history shows both (services.customer_history).
"""

import datetime
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from . import versions
from .merge_models import CustomerMerge
from .models import Customer
from .signals import customers_written

# What the merge page shows of each record side by side; its version is their digest.
COMPARED = (
    "name",
    "customer_type",
    "village",
    "group",
    "id_number",
    "phone",
    "address",
    "archived_on",
    "filed_by",
)


class MergeRefused(Exception):
    """The merge cannot be done; the message says why (in Chinese)."""


class AlreadyMerged(Exception):
    """The record was merged already (a second click): its audit row."""

    def __init__(self, merge: CustomerMerge):
        self.merge = merge
        super().__init__(merge.pk)


class MergeStale(Exception):
    """One of the two records changed since the page was shown; nothing was written."""


def relations():
    """Every (model, field name) pointing at Customer, wherever it is defined."""
    return [
        (rel.related_model, rel.field.name)
        for rel in Customer._meta.related_objects
        if not rel.many_to_many
    ]


def related_counts(customers) -> dict[int, list[tuple[str, int]]]:
    """For each customer, how many rows of each kind point at it (one query per kind)."""
    pks = [c.pk for c in customers]
    counts = {pk: [] for pk in pks}
    for model, field in relations():
        found = dict(
            model._base_manager.filter(**{f"{field}__in": pks})
            .values_list(field)
            .annotate(n=Count("pk"))
            .order_by()
        )
        label = str(model._meta.verbose_name_plural)
        for pk in pks:
            if found.get(pk):
                counts[pk].append((label, found[pk]))
    return counts


def version(customer) -> str:
    return versions.version_of(versions.model_values(customer, COMPARED))


@transaction.atomic
def merge_customers(
    *, kept_pk: int, merged_pk: int, seen: dict[int, str], user, now: datetime.datetime
) -> CustomerMerge:
    """Move everything of `merged_pk` to `kept_pk`, then delete `merged_pk`; one transaction.

    `seen` is the version of each record as the page showed it ({pk: version}): a record
    changed since raises MergeStale. Both rows are locked first, so two merges of the same
    pair queue, and the second finds the merged record gone (AlreadyMerged).
    """
    if kept_pk == merged_pk:
        raise MergeRefused(_("Choose two different records."))
    rows = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .select_related("village")
        .filter(pk__in=[kept_pk, merged_pk])
        .order_by("pk")
    }
    if merged_pk not in rows:
        done = CustomerMerge.objects.filter(merged_pk=merged_pk).first()
        if done is not None:
            raise AlreadyMerged(done)
    if len(rows) != 2:
        raise MergeRefused(_("One of the two records is no longer on file."))
    kept, merged = rows[kept_pk], rows[merged_pk]
    if kept.customer_type != merged.customer_type:
        raise MergeRefused(_("Only two records of the same customer type can be merged."))
    if any(seen.get(c.pk) != version(c) for c in (kept, merged)):
        raise MergeStale()
    moved, dropped = Counter(), Counter()
    for model, field in relations():
        label = model._meta.label  # the audit row names models, whatever the language
        rows_of = model._base_manager.filter(**{field: merged_pk})
        pks = list(rows_of.values_list("pk", flat=True))
        if not pks:
            continue
        try:
            with transaction.atomic():
                moved[label] += rows_of.update(**{field: kept_pk})
            continue
        except IntegrityError:
            pass  # a row only one may have per customer: settle them one by one
        for pk in pks:
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk=pk).update(**{field: kept_pk})
                moved[label] += 1
            except IntegrityError:
                try:
                    model._base_manager.filter(pk=pk).delete()
                except ProtectedError:
                    raise MergeRefused(
                        _("%(kind)s of the two records cannot be combined; ask head office.")
                        % {"kind": model._meta.verbose_name_plural}
                    ) from None
                dropped[label] += 1
    if kept.household_id is None and merged.household_id not in (None, kept.pk):
        Customer.objects.filter(pk=kept.pk).update(household=merged.household_id)
    merge = CustomerMerge.objects.create(
        kept=kept,
        merged_pk=merged.pk,
        merged_name=merged.name,
        merged_village=merged.village.name,
        moved=dict(moved),
        dropped=dict(dropped),
        merged_by=user,
        merged_at=now,
    )
    merged._history_user = user
    merged._change_reason = _("Merged into record %(pk)d") % {"pk": kept.pk}
    merged.delete()
    # The moves above are bulk updates, which send no model signal.
    customers_written.send(sender=Customer, village_ids={kept.village_id, merged.village_id})
    return merge
