"""Assessment admin, one module per concept; this file only imports them so Django finds them."""

from . import admin_fieldwork, admin_statements  # noqa: F401
