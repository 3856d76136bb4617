"""The follow-up panel of a customer's page: tier and reasons, maintainers, visits, visit form."""

from dataclasses import dataclass, field

from django import template
from django.utils import timezone

from classification import rules, visits
from classification.forms.followup import VisitForm
from classification.models import Classification, Maintainer, Override, Rulebook, Week

register = template.Library()

DUTY_ORDER = {duty: i for i, duty in enumerate(Maintainer.Duty.values)}
VISITS_SHOWN = 20


@dataclass
class FollowUp:
    classification: Classification | None = None
    pending: Classification | None = None  # a newer week still waiting for the branch head
    override: Override | None = None
    maintainers: list = field(default_factory=list)
    area_managers: list = field(default_factory=list)
    cadence_days: int | None = None
    leader_days: int | None = None
    uses_kalefu: bool = False
    due: object = None
    overdue: bool = False
    visits: list = field(default_factory=list)
    visit_count: int = 0
    form: object = None


@register.simple_tag(takes_context=True)
def customer_followup(context, customer):
    """Everything the panel shows, in a handful of queries whatever the history's length.

    The customer page only shows customers in the user's scope, so the form is there
    for everyone who sees it: leaders and chiefs log their visits too.
    """
    today = timezone.localdate()
    cadence = Rulebook.objects.in_force(today).cadence
    rows = list(
        Classification.objects.filter(customer=customer)
        .select_related("week")
        .order_by("-week__week_start")[:2]
    )
    f = FollowUp()
    f.classification = next((r for r in rows if r.week.status == Week.Status.CONFIRMED), None)
    if rows and rows[0].week.status != Week.Status.CONFIRMED:
        f.pending = rows[0]
    if f.classification and f.classification.source == Classification.Source.OVERRIDE:
        f.override = (
            Override.objects.filter(customer=customer, lifted_at__isnull=True)
            .select_related("set_by")
            .first()
        )
    f.maintainers = sorted(
        Maintainer.objects.filter(customer=customer).select_related("user"),
        key=lambda m: (DUTY_ORDER.get(m.duty, 99), str(m.user)),
    )
    ranked = [m for m in f.maintainers if m.duty != Maintainer.Duty.AREA]
    if not ranked:
        f.area_managers = list(customer.village.owners.all())
    f.visits = list(
        customer.visits.select_related("visitor", "partner").order_by("-visited_on", "-pk")[
            :VISITS_SHOWN
        ]
    )
    f.visit_count = customer.visits.count()
    tier = f.classification.tier if f.classification else None
    f.uses_kalefu = visits.uses_kalefu(customer.ebanking_products)
    f.cadence_days = rules.revisit_days(tier, uses_kalefu=f.uses_kalefu, cadence=cadence)
    if any(m.duty == Maintainer.Duty.LEADER for m in f.maintainers):
        f.leader_days = cadence.golden_leader_days
    since = min((m.since for m in ranked), default=customer.archived_on)
    last = f.visits[0].visited_on if f.visits else None
    f.due = rules.next_visit_due(last, since, f.cadence_days)
    f.overdue = visits.is_overdue(f.due, today)
    f.form = VisitForm(customer=customer, visitor=context["request"].user, today=today)
    return f
