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
from .movements import FundsBack, MovementFollowUp

__all__ = [
    "CorporateCustomer",
    "CorporateQuerySet",
    "Figures",
    "FundsBack",
    "Group",
    "Industry",
    "ListChange",
    "ListProposal",
    "ListRun",
    "ListState",
    "MovementFollowUp",
    "Size",
    "TeamMember",
    "TeamRole",
]
