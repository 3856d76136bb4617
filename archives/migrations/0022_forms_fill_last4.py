"""Fill the searched suffixes (the last four of the ID number and the mobile) of every
customer on file, in one set-based UPDATE each (shorter values keep the empty default); from now on the writes keep them."""

from django.db import migrations
from django.db.models.functions import Length, Right, Upper


def fill(apps, schema_editor):
    Customer = apps.get_model("archives", "Customer")
    for source, target in (("id_number", "id_last4"), ("phone", "phone_last4")):
        Customer.objects.annotate(n=Length(source)).filter(n__gte=4).update(
            **{target: Upper(Right(source, 4))}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0021_forms_last4_search"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
