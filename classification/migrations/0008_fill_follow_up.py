"""Every customer with a confirmed week, a maintainer or a visit gets its FollowUp row."""

from django.db import migrations
from django.db.models import DateField, Max, OuterRef, Q, Subquery

BATCH = 2000


def forwards(apps, schema_editor):
    Customer = apps.get_model("archives", "Customer")
    Classification = apps.get_model("classification", "Classification")
    Maintainer = apps.get_model("classification", "Maintainer")
    Visit = apps.get_model("classification", "Visit")
    FollowUp = apps.get_model("classification", "FollowUp")
    latest = Classification.objects.filter(
        customer=OuterRef("pk"), week__status="confirmed"
    ).order_by("-week__week_start")
    first_since = (
        Maintainer.objects.filter(customer=OuterRef("pk")).order_by("since", "pk").values("since")
    )
    last_visit = Subquery(
        Visit.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(last=Max("visited_on"))
        .values("last"),
        output_field=DateField(),
    )
    followed = Customer.objects.filter(
        Q(pk__in=Classification.objects.filter(week__status="confirmed").values("customer"))
        | Q(pk__in=Maintainer.objects.values("customer"))
        | Q(pk__in=Visit.objects.values("customer"))
    )
    rows = (
        followed.order_by()
        .annotate(
            f_tier=Subquery(latest.values("tier")[:1]),
            f_rank=Subquery(latest.values("rank")[:1]),
            f_week=Subquery(latest.values("week_id")[:1]),
            f_since=Subquery(first_since[:1]),
            f_last=last_visit,
        )
        .values_list("pk", "f_tier", "f_rank", "f_week", "f_since", "f_last")
    )
    batch = []
    for pk, tier, rank, week, since, last in rows.iterator(chunk_size=BATCH):
        batch.append(
            FollowUp(
                customer_id=pk, tier=tier, rank=rank, week_id=week, since=since, last_visit=last
            )
        )
        if len(batch) == BATCH:
            FollowUp.objects.bulk_create(batch)
            batch = []
    FollowUp.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("classification", "0007_follow_up")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
