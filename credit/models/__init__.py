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
from .movements import FundsBack, MovementFollowUp
from .projects import CreditStart, ProjectEntry, StageChange

__all__ = [
    "Activity",
    "Cadence",
    "CadenceBook",
    "CorporateCustomer",
    "CorporateQuerySet",
    "CreditStart",
    "DiaryEntry",
    "Figures",
    "FundsBack",
    "Group",
    "Industry",
    "ListChange",
    "ListProposal",
    "ListRun",
    "ListState",
    "MovementFollowUp",
    "ProjectEntry",
    "Size",
    "StageChange",
    "TeamMember",
    "TeamRole",
]
