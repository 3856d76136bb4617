"""Assessment admin, one module per concept; this file only imports them so Django finds them."""

from . import fieldwork, statements  # noqa: F401
