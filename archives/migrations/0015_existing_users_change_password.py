"""Everyone who signed in before the password rules (issue 9) chooses a new password.

Passwords set before this release were never checked against the rules (10 characters,
not like the name, staff number or phone), so every active user with a password is
asked for a new one at their next login. A development database (DEBUG on: `make run`'s
demo accounts) is left alone.
"""

from django.conf import settings
from django.db import migrations


def ask_for_new_passwords(apps, schema_editor):
    if settings.DEBUG:
        return
    User = apps.get_model("archives", "User")
    User.objects.filter(is_active=True).exclude(password="").exclude(
        password__startswith="!"  # an unusable password: nobody signs in with it
    ).update(must_change_password=True)


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0014_corporate_roles_branch_kind"),
    ]

    operations = [
        migrations.RunPython(ask_for_new_passwords, migrations.RunPython.noop, elidable=True),
    ]
