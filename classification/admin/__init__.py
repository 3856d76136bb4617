"""Django admin of classification, one module per concept; importing them registers them."""

from . import weekly  # noqa: F401
