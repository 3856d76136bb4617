"""Strings of Django 6.1 and its contrib apps that its own Chinese catalogue lacks.

Named here (gettext_noop) so makemessages puts them in ours; our catalogue comes first in
LOCALE_PATHS, so Django shows the Chinese. tests/test_no_english.py finds any new one.
"""

from django.utils.translation import gettext_noop

STRINGS = (
    gettext_noop("- Select an option -"),
    gettext_noop("Hold down “Control”, or “Command” on a Mac, to select more than one."),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. "
        "If disabled, they may still be able to authenticate using other backends, "
        "such as Single Sign-On or LDAP."
    ),
)
