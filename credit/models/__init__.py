"""Corporate credit customers (DOMAIN.md §5): the archive and its figures, the four lists."""

from .archive import (
    CorporateCustomer,
    CorporateQuerySet,
    Figures,
    Group,
    Industry,
    Size,
    TeamMember,
    TeamRole,
)
from .lists import ListChange, ListProposal, ListRun, ListState
from .projects import CreditStart, ProjectEntry, StageChange

__all__ = [
    "CorporateCustomer",
    "CorporateQuerySet",
    "CreditStart",
    "Figures",
    "Group",
    "Industry",
    "ListChange",
    "ListProposal",
    "ListRun",
    "ListState",
    "ProjectEntry",
    "Size",
    "StageChange",
    "TeamMember",
    "TeamRole",
]
