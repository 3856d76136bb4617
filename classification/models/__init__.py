"""The models of classification, one module per concept; every name importable from here."""

# Imported in the order the models were declared when they shared one module: Django
# registers them in import order (content types, permissions).
# isort: off
from .weekly import (
    BAND_CHOICES,
    BAND_LABELS,
    TIER_CHOICES,
    TIER_LABELS,
    Band,
    Cadence,
    Classification,
    Override,
    Proposal,
    Reason,
    Rulebook,
    RulebookQuerySet,
    Thresholds,
    Tier,
    Week,
    WeekQuerySet,
    branches_reviewed_by,
    branches_visible_to,
    reasons_from_codes,
)
from .followup import DedicatedManager, FollowUp, Maintainer, Visit, VisitQuerySet
from .contact import Message, MessageQuerySet, ProductNews
from .figures import BranchFigures, FiguresChange
from .handover import Handover

# isort: on

__all__ = [
    "BAND_CHOICES",
    "BAND_LABELS",
    "TIER_CHOICES",
    "TIER_LABELS",
    "Band",
    "BranchFigures",
    "Cadence",
    "Classification",
    "DedicatedManager",
    "FiguresChange",
    "FollowUp",
    "Handover",
    "Maintainer",
    "Message",
    "MessageQuerySet",
    "Override",
    "ProductNews",
    "Proposal",
    "Reason",
    "Rulebook",
    "RulebookQuerySet",
    "Thresholds",
    "Tier",
    "Visit",
    "VisitQuerySet",
    "Week",
    "WeekQuerySet",
    "branches_reviewed_by",
    "branches_visible_to",
    "reasons_from_codes",
]
