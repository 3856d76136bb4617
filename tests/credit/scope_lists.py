"""Scope rows of the corporate lists pages: url name -> (args from the world, roles allowed)."""

from tests.credit.people import COMPANY_1, CORPORATE, HEAD_OFFICE_DEPARTMENTS  # noqa: F401

SCOPE: dict = {}
# What an allowed GET answers where it is not a plain 200 page (POST-only URLs: 405).
ALLOWED_STATUS: dict = {}
