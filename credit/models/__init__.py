"""Corporate credit customers (DOMAIN.md §5): the archive and its figures, the four lists."""

from .activity import Activity, Cadence, CadenceBook, DiaryEntry
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

__all__ = [
    "Activity",
    "Cadence",
    "CadenceBook",
    "CorporateCustomer",
    "CorporateQuerySet",
    "DiaryEntry",
    "Figures",
    "Group",
    "Industry",
    "ListChange",
    "ListProposal",
    "ListRun",
    "ListState",
    "Size",
    "TeamMember",
    "TeamRole",
]
