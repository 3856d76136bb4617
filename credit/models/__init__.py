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

__all__ = [
    "CorporateCustomer",
    "CorporateQuerySet",
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
