from django.db import migrations


class Migration(migrations.Migration):
    # assessment moves its ledger lines' key to jobs.Job before this runs (run_before there).
    dependencies = [
        ("archives", "0008_import_jobs_into_jobs"),
    ]

    operations = [
        migrations.DeleteModel(name="ImportJob"),
    ]
