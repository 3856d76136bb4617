"""Checks of a household's family members against its head: one 户主, ages that fit the relation.

The customer filed on a household's collection form is its head (户主): the form's own
name and ID number are the head's, and every member's relation is to that person (the
demo data and the import's 户主证件号 column read it so). A member row saying 户主
would be a second head.

Pure rules, in the manner of password_validation: small rule objects and one function
that runs them; the caller passes the people's birth dates (from their ID numbers) and
today's date. Only what is certainly wrong is refused; a person without an ID number
has no birth date here and passes every age rule.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import Relation
from .identity import age_on

# The legal marriage age (Civil Code of the PRC, art. 1047): 22 for men, 20 for women.
# A spouse recorded in a mainland household is married under it, so a younger one is
# certainly wrong. Inclusive: a man is a possible spouse from his 22nd birthday on.
MARRIAGE_AGE = {True: 22, False: 20}


@dataclass(frozen=True)
class Person:
    birth_date: datetime.date | None = None
    is_male: bool | None = None


@dataclass(frozen=True)
class Member:
    row: int  # as the form shows it, from 1
    name: str
    relation: str
    person: Person


class NotASecondHead:
    def check(self, head, member, today):
        if member.relation == Relation.HEAD:
            return _(
                "the customer of this form is the head of household (户主); "
                "choose this member's relation to them."
            )
        return None


class SpouseOfMarriageAge:
    def check(self, head, member, today):
        if member.relation != Relation.SPOUSE:
            return None
        for who, person in ((_("this spouse"), member.person), (_("the head"), head)):
            age = age_on(person.birth_date, today)
            if age is None or person.is_male is None:
                continue
            least = MARRIAGE_AGE[person.is_male]
            if age < least:
                return _(
                    "%(who)s is %(age)d, below the legal marriage age "
                    "(%(least)d for men, %(women)d for women)."
                ) % {
                    "who": who,
                    "age": age,
                    "least": MARRIAGE_AGE[True],
                    "women": MARRIAGE_AGE[False],
                }
        return None


class OlderOrYounger:
    """A parent is born before the head; a child and a grandchild after."""

    def __init__(self, relation, older, message):
        self.relation, self.older, self.message = relation, older, message

    def check(self, head, member, today):
        born, head_born = member.person.birth_date, head.birth_date
        if member.relation != self.relation or born is None or head_born is None:
            return None
        fits = born < head_born if self.older else born > head_born
        if fits:
            return None
        return self.message() % {"born": born.isoformat(), "head_born": head_born.isoformat()}


RULES = (
    NotASecondHead(),
    SpouseOfMarriageAge(),
    OlderOrYounger(
        Relation.PARENT,
        older=True,
        message=lambda: _(
            "a parent born %(born)s is not older than the head (born %(head_born)s)."
        ),
    ),
    OlderOrYounger(
        Relation.CHILD,
        older=False,
        message=lambda: _(
            "a child born %(born)s is not younger than the head (born %(head_born)s)."
        ),
    ),
    OlderOrYounger(
        Relation.GRANDCHILD,
        older=False,
        message=lambda: _(
            "a grandchild born %(born)s is not younger than the head (born %(head_born)s)."
        ),
    ),
)


def problems(head: Person, members, *, today: datetime.date, rules=RULES) -> dict[int, str]:
    """{row: message} for each member row that is certainly wrong: its first failing rule,
    the message naming the row and the member."""
    found = {}
    for member in members:
        for rule in rules:
            problem = rule.check(head, member, today)
            if problem:
                found[member.row] = _("Row %(row)d (%(name)s): %(problem)s") % {
                    "row": member.row,
                    "name": member.name or "—",
                    "problem": problem,
                }
                break
    return found
