"""Monthly minimums of going down (下乡), pure like pricing.py: leaders' and section chiefs'
trips and households, branch heads' field days (DOMAIN.md §1, §4); all inclusive (含)."""

from dataclasses import dataclass

from .pricing import RateTable, Role, minimum_field_days


@dataclass(frozen=True)
class Quota:
    """A month's minimum of going down (下乡) and where one stands against it; both 含 (≥)."""

    trips: int
    households: int
    min_trips: int
    min_households: int | None = None  # branch heads: field days only

    @property
    def trips_met(self) -> bool:
        return self.trips >= self.min_trips

    @property
    def households_met(self) -> bool:
        return self.min_households is None or self.households >= self.min_households

    @property
    def met(self) -> bool:
        return self.trips_met and self.households_met


QUOTA_ROLES = (Role.LEADER, Role.SECTION_CHIEF, Role.BRANCH_HEAD)


def quota(
    role: Role, *, trips: int, households: int, census_phase: bool, rates: RateTable
) -> Quota | None:
    """Leaders' and section chiefs' trips and households, branch heads' field days.

    A trip is a confirmed field day logged by the person; households are those its
    days record as visited. Other roles have no quota of this kind (None).
    """
    if role == Role.LEADER:
        return Quota(trips, households, rates.min_trips_leader, rates.min_households_leader)
    if role == Role.SECTION_CHIEF:
        return Quota(
            trips, households, rates.min_trips_section_chief, rates.min_households_section_chief
        )
    if role == Role.BRANCH_HEAD:
        return Quota(trips, households, minimum_field_days(role, census_phase, rates))
    return None
