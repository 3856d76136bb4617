"""The seeded cadence book's note named a design document; head office reads it in Chinese."""

from django.db import migrations

OLD, NEW = "DOMAIN.md §5.4", "授信客户服务频率（按实施细则设定）"


def forwards(apps, schema_editor):
    apps.get_model("credit", "CadenceBook").objects.filter(note=OLD).update(note=NEW)


def backwards(apps, schema_editor):
    apps.get_model("credit", "CadenceBook").objects.filter(note=NEW).update(note=OLD)


class Migration(migrations.Migration):
    dependencies = [("credit", "0006_entered_labels")]

    operations = [migrations.RunPython(forwards, backwards)]
