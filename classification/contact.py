"""Contact (联络): plan each month's text messages to key customers, and send the due ones.

DOMAIN.md §3: each month key customers get product news, deposit and loan maturity and
interest-due reminders, and greetings on public holidays and on their birthday. The
caller passes the dates; nothing here reads the clock (the task at the end is the edge).
"""

import datetime
from collections import Counter
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.tasks import task
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy

from archives.identity import validate_mobile
from archives.models import Customer

from . import calendar as greetings
from .models import Classification, Message, ProductNews, Week
from .rules import Band, Tier
from .senders import SendFailed, get_sender, why_not_sending

REMINDER_DAYS = 3  # maturity and interest reminders go out this many days ahead
SEND_BATCH = 500  # messages per send run; the next run picks up the rest

# Festivals greeted with 安康 (peace and health) rather than 快乐: 清明 is a day of
# remembrance, and 端午 is traditionally wished a peaceful one.
SOLEMN_FESTIVALS = frozenset({"tomb_sweeping_day", "dragon_boat_festival"})

Kind = Message.Kind


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a month."""
    start = datetime.date(year, month, 1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


# --- Who gets messages -------------------------------------------------------------------


def key_customers(*, today: datetime.date):
    """Key customers: key follow-up in their branch's latest confirmed week, and golden ones.

    Golden customers (ranks 1-5) stay on the list even when the branch head has put them in
    another tier: they are the leader's to keep in touch with.
    """
    latest_confirmed = (
        Week.objects.filter(
            branch=OuterRef("branch"), status=Week.Status.CONFIRMED, week_start__lte=today
        )
        .order_by("-week_start")
        .values("pk")[:1]
    )
    weeks = Week.objects.filter(pk=Subquery(latest_confirmed))  # one per branch
    rows = Classification.objects.filter(week__in=weeks).filter(
        Q(tier=Tier.KEY_FOLLOW_UP) | Q(band=Band.GOLDEN)
    )
    return Customer.objects.filter(pk__in=rows.values("customer_id"))


@dataclass(frozen=True)
class Recipient:
    """What the plan needs to know about one key customer."""

    customer_id: int
    name: str
    phone: str
    birth_date: datetime.date | None = None
    deposit_maturity: datetime.date | None = None
    loan_maturity: datetime.date | None = None
    interest_due_on: datetime.date | None = None


RECIPIENT_FIELDS = (
    "pk",
    "name",
    "phone",
    "birth_date",
    "deposit_maturity",
    "loan_maturity",
    "interest_due_on",
)


# --- What they get -----------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """One message the plan wants to exist, before dedupe and the mobile check."""

    kind: str
    dedupe_key: str
    occasion_on: datetime.date
    scheduled_for: datetime.date
    text: str


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


# The texts, kept lazy so they are rendered in the language active when the plan runs.
TEXTS = {
    Kind.DEPOSIT_MATURITY: gettext_lazy(
        "Dear %(name)s, your fixed deposit with Hong'an Rural Commercial Bank matures on "
        "%(date)s. Your account manager will gladly help you renew it."
    ),
    Kind.LOAN_MATURITY: gettext_lazy(
        "Dear %(name)s, your loan with Hong'an Rural Commercial Bank falls due on %(date)s. "
        "Please arrange the repayment in good time."
    ),
    Kind.INTEREST_DUE: gettext_lazy(
        "Dear %(name)s, the interest on your loan with Hong'an Rural Commercial Bank is due "
        "on %(date)s. Please keep enough money in your account."
    ),
    Kind.BIRTHDAY_GREETING: gettext_lazy(
        "Dear %(name)s, Hong'an Rural Commercial Bank wishes you a happy birthday and good health!"
    ),
    Kind.HOLIDAY_GREETING: gettext_lazy(
        "Dear %(name)s, Hong'an Rural Commercial Bank wishes you and your family a happy "
        "%(festival)s!"
    ),
}
SOLEMN_GREETING = gettext_lazy(
    "Dear %(name)s, Hong'an Rural Commercial Bank wishes you and your family a peaceful "
    "%(festival)s."
)
# Which customer field holds the date each reminder is about.
REMINDER_FIELDS = {
    Kind.DEPOSIT_MATURITY: "deposit_maturity",
    Kind.LOAN_MATURITY: "loan_maturity",
    Kind.INTEREST_DUE: "interest_due_on",
}


def drafts_for(
    r: Recipient,
    *,
    start: datetime.date,
    end: datetime.date,
    holidays,
    news,
    reminder_days: int = REMINDER_DAYS,
) -> list[Draft]:
    """Every message a key customer should get in the month from `start` to `end`.

    `holidays` are calendar.Holiday values in the month, `news` (pk, text) pairs. Texts
    are in the active language.
    """
    cid = r.customer_id
    drafts = [
        Draft(Kind.PRODUCT_NEWS, f"product_news:{pk}:{cid}", start, start, text)
        for pk, text in news
    ]
    for kind, field in REMINDER_FIELDS.items():
        due = getattr(r, field)
        if due is not None and start <= due <= end:
            drafts.append(
                Draft(
                    kind,
                    f"{kind.value}:{due.isoformat()}:{cid}",
                    due,
                    due - datetime.timedelta(days=reminder_days),
                    str(TEXTS[kind]) % {"name": r.name, "date": _day(due)},
                )
            )
    for holiday in holidays:
        text = SOLEMN_GREETING if holiday.key in SOLEMN_FESTIVALS else TEXTS[Kind.HOLIDAY_GREETING]
        drafts.append(
            Draft(
                Kind.HOLIDAY_GREETING,
                f"holiday:{holiday.year}-{holiday.key}:{cid}",
                holiday.day,
                holiday.day,
                str(text) % {"name": r.name, "festival": holiday.label},
            )
        )
    if r.birth_date is not None:
        birthday = greetings.birthday_in(r.birth_date, start.year)
        if start <= birthday <= end:
            drafts.append(
                Draft(
                    Kind.BIRTHDAY_GREETING,
                    f"birthday:{start.year}:{cid}",
                    birthday,
                    birthday,
                    str(TEXTS[Kind.BIRTHDAY_GREETING]) % {"name": r.name},
                )
            )
    return drafts


def _passed(draft: Draft, *, end: datetime.date, today: datetime.date) -> bool:
    """A greeting or reminder whose day is gone is not sent late; news lasts the month."""
    if draft.kind == Kind.PRODUCT_NEWS:
        return end < today
    return draft.occasion_on < today


def _mobile(phone: str) -> str:
    try:
        return validate_mobile(phone)
    except ValidationError:
        return ""


def _why_no_mobile(phone: str) -> str:
    """Why a message cannot go to this number: none on file, or not a mobile number."""
    return Message.SkipReason.BAD_MOBILE if phone.strip() else Message.SkipReason.NO_MOBILE


# --- Writes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanResult:
    customers: int  # key customers considered
    queued: int  # new messages waiting to be sent
    skipped: int  # new messages kept as skipped (no mobile, or the day had passed)

    @property
    def created(self) -> int:
        return self.queued + self.skipped


@transaction.atomic
def plan_month(
    *, year: int, month: int, today: datetime.date, reminder_days: int = REMINDER_DAYS
) -> PlanResult:
    """Create the month's messages for every key customer. Idempotent.

    A fixed number of queries whatever the number of customers. Each message carries a
    key naming its occasion, unique per customer, so running the plan again (or after a
    new piece of product news) adds only what is missing and no customer gets the same
    greeting twice. A message without a mobile to go to is kept as skipped.
    """
    start, end = month_bounds(year, month)
    recipients = [
        Recipient(*row)
        for row in key_customers(today=today).order_by("pk").values_list(*RECIPIENT_FIELDS)
    ]
    holidays = greetings.public_holidays_between(start, end)
    news = list(ProductNews.objects.filter(month=start).order_by("pk").values_list("pk", "text"))
    rows = []
    # The texts go to customers in the bank's language, whoever runs the plan.
    with translation.override(settings.LANGUAGE_CODE):
        for r in recipients:
            phone = _mobile(r.phone)
            for d in drafts_for(
                r, start=start, end=end, holidays=holidays, news=news, reminder_days=reminder_days
            ):
                reason = ""
                if _passed(d, end=end, today=today):
                    reason = Message.SkipReason.PASSED
                elif not phone:
                    reason = _why_no_mobile(r.phone or "")
                rows.append(
                    Message(
                        customer_id=r.customer_id,
                        kind=d.kind,
                        dedupe_key=d.dedupe_key,
                        plan_month=start,
                        occasion_on=d.occasion_on,
                        scheduled_for=d.scheduled_for,
                        phone=phone if not reason else "",
                        text=d.text,
                        status=Message.Status.SKIPPED if reason else Message.Status.QUEUED,
                        skip_reason=reason,
                    )
                )
    before = _counts(start)
    # The unique (customer, occasion key) constraint makes a second run a no-op per row.
    Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    after = _counts(start)
    return PlanResult(
        customers=len(recipients),
        queued=after["queued"] - before["queued"],
        skipped=after["skipped"] - before["skipped"],
    )


def _counts(plan_month: datetime.date) -> Counter:
    return Counter(
        Message.objects.filter(plan_month=plan_month).aggregate(
            queued=Count("pk", filter=Q(status=Message.Status.QUEUED)),
            skipped=Count("pk", filter=Q(status=Message.Status.SKIPPED)),
        )
    )


def add_product_news(*, month: datetime.date, text: str, user) -> ProductNews:
    """Head office writes a piece of product news for a month; planning the month sends it."""
    return ProductNews.objects.create(month=month.replace(day=1), text=text, created_by=user)


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retrying: int = 0  # failed this time, queued for the next run
    failed: int = 0  # gave up: out of attempts, or the gateway refused for good
    kept: int = 0  # due but kept in the outbox: the sender does not deliver
    reason: str = ""  # why they were kept (senders.why_not_sending)


def send_due(
    *,
    today: datetime.date,
    now: datetime.datetime,
    limit: int = SEND_BATCH,
    sender=None,
    max_attempts: int | None = None,
) -> SendReport:
    """Send queued messages whose day has come, oldest first, and record each outcome.

    A failure counts an attempt and leaves the message queued for the next run until
    SMS_MAX_ATTEMPTS, then it is failed; nothing is ever deleted. Each message is its own
    transaction holding a lock on its row only while the gateway answers, so two runs at
    once never send the same message and a crash loses at most the message in flight.
    """
    max_attempts = max_attempts or settings.SMS_MAX_ATTEMPTS
    due = Message.objects.due(today)
    if sender is None and (reason := why_not_sending()):
        return SendReport(kept=due.count(), reason=reason)
    sender = sender or get_sender()
    if not sender.delivers:
        return SendReport(kept=due.count(), reason=str(getattr(sender, "reason", "")))
    outcomes = Counter()
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            message = (
                Message.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Message.Status.QUEUED)
                .first()
            )
            if message is None:  # another run has it, or has sent it
                continue
            message.attempts += 1
            try:
                sender.send(message)
            except SendFailed as error:
                message.last_error = str(error)[:300]
                if error.permanent or message.attempts >= max_attempts:
                    message.status = Message.Status.FAILED
                    outcomes["failed"] += 1
                else:
                    outcomes["retrying"] += 1
            else:
                message.status = Message.Status.SENT
                message.sent_at = now
                outcomes["sent"] += 1
            message.save(update_fields=["attempts", "status", "last_error", "sent_at"])
    return SendReport(**outcomes)


@task
def send_due_messages(limit: int = SEND_BATCH) -> dict:
    """Background send run started from the outbox page: the gateway may be slow."""
    report = send_due(today=timezone.localdate(), now=timezone.now(), limit=limit)
    return asdict(report)
