"""Scope rows of the corporate figures pages: url name -> (args from the world, roles allowed)."""

from tests.credit.people import COMPANY_1, CORPORATE, HEAD_OFFICE_DEPARTMENTS  # noqa: F401

# Head office and its two departments import the core-banking figures (credit/tasks.py).
FIGURES_IMPORTERS = {"head_office"} | HEAD_OFFICE_DEPARTMENTS

SCOPE: dict = {
    "credit:figures_import": (lambda w: [], FIGURES_IMPORTERS),
    "credit:figures_template": (lambda w: [], FIGURES_IMPORTERS),
}
# What an allowed GET answers where it is not a plain 200 page (POST-only URLs: 405).
ALLOWED_STATUS: dict = {}
