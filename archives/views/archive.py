"""Pages of the village archive: home, villages, customer lists, survey forms, history."""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import services, submissions, versions
from .. import today as today_sections
from ..audit import AccessAction, record_access
from ..forms import CustomerForm, FamilyFormSet, duplicate_message
from ..identity import age_on, mask_id, region_of
from ..links import linked
from ..models import BUSINESS_TYPES, HOUSEHOLD_TYPES, Customer, CustomerType, Role, Village
from ..pagination import CappedPaginator
from ..survey import HAS_FAMILY, HOUSEHOLD_FORM_FIELDS, TYPE_FIELDS, fields_for
from .review import review_context

PAGE_SIZE = 50


def home(request):
    """今日: what to do now, in sections each app registers (archives/today.py).

    Roles with no village work go to the corporate lists (DOMAIN.md §5)."""
    if not today_sections.has_today(request.user):
        return redirect(reverse("credit:home"))
    today = timezone.localdate()
    return render(
        request,
        "archives/today.html",
        {"sections": today_sections.sections_for(request.user, today), "today": today},
    )


def more(request):
    """更多: every place of the user's role that is not a tab, by group; who is signed in."""
    return render(request, "archives/more.html")


def villages(request):
    """The villages in the user's scope, with their coverage (the former home page)."""
    villages = (
        Village.objects.visible_to(request.user)
        .select_related("township__branch")
        .prefetch_related("owners")
        .order_by("township__branch__code", "code")
    )
    page = Paginator(villages, PAGE_SIZE).get_page(request.GET.get("page"))
    # Coverage of the page's villages only: one grouped count over their customers, not
    # a count of every customer in the user's scope to show fifty villages.
    shown = list(page.object_list)
    filed = dict(
        Village.objects.filter(pk__in=[v.pk for v in shown])
        .with_coverage()
        .values_list("pk", "filed_households")
    )
    for village in shown:
        village.filed_households = filed.get(village.pk, 0)
    # The maps of the branches on this page: read from the villages, no query of their own.
    branches = list({v.township.branch.pk: v.township.branch for v in shown}.values())
    return render(
        request, "archives/villages.html", {"page": page, "villages": shown, "branches": branches}
    )


def village_detail(request, pk):
    village = get_object_or_404(
        Village.objects.visible_to(request.user).with_coverage().select_related("township__branch"),
        pk=pk,
    )
    if request.method == "POST":
        return searched(request, village.customers.all())
    q = search_text(request)
    households = Customer.objects.filter(village=village, customer_type__in=HOUSEHOLD_TYPES)
    seven_ones = households.aggregate(
        letter=Count("pk", filter=Q(letter_delivered=True)),
        card=Count("pk", filter=Q(contact_card_delivered=True)),
        form=Count("pk", filter=Q(form_collected=True)),
        gift=Count("pk", filter=Q(gift_delivered=True)),
    )
    counts = dict(village.customers.values_list("customer_type").annotate(n=Count("pk")).order_by())
    by_type = [(value, label, counts.get(value, 0)) for value, label in CustomerType.choices]
    customers = _filtered(village.customers.select_related("group"), q, request.GET)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "archives/village.html",
        {
            "village": village,
            "owners": village.owners.all(),
            "groups": village.groups.annotate(filed=Count("customers")),
            "seven_ones": seven_ones,
            "by_type": by_type,
            "page": page,
            "can_edit": Village.objects.editable_by(request.user).filter(pk=pk).exists(),
            "types": CustomerType.choices,
            "q": q,
            "selected_type": request.GET.get("type", ""),
        },
    )


def customer_list(request):
    if request.method == "POST":
        return searched(request, Customer.objects.visible_to(request.user))
    q = search_text(request)
    customers = _filtered(
        Customer.objects.visible_to(request.user).select_related("village", "group"),
        q,
        request.GET,
    )
    page = CappedPaginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "archives/customer_list.html",
        {
            "page": page,
            "types": CustomerType.choices,
            "q": q,
            "selected_type": request.GET.get("type", ""),
        },
    )


# Searches: the search box posts its text, which is kept in the session under a random
# key; the results page's address carries only that key (?s=…), so an ID number or a
# mobile never reaches an address bar, a browser history or an access log.
SEARCHES_KEPT = 20


def is_number_search(text: str) -> bool:
    """An ID number, mobile or credit code (prefix), as CustomerQuerySet.search reads it."""
    return text.isdigit() or (text.upper().endswith("X") and text[:-1].isdigit())


def searched(request, customers):
    """Keep the posted search in the session and redirect to its results by key.

    A search for a number (ID, mobile) is written to the access log, with how many
    customers in the user's scope it found.
    """
    text = request.POST.get("q", "").strip()[:100]
    params = {}
    if request.POST.get("type") in CustomerType.values:
        params["type"] = request.POST["type"]
    if text:
        kept = request.session.get("searches", {})
        key = secrets.token_urlsafe(9)
        kept[key] = text
        request.session["searches"] = dict(list(kept.items())[-SEARCHES_KEPT:])
        params["s"] = key
        if is_number_search(text):
            record_access(
                action=AccessAction.SEARCHED,
                now=timezone.now(),
                request=request,
                user=request.user,
                detail=_("%(text)s: %(count)d found")
                % {"text": mask_id(text), "count": customers.search(text).count()},
            )
    return redirect(request.path + ("?" + urlencode(params) if params else ""))


def search_text(request) -> str:
    """The search of this results page: kept in the session (?s=), or a name in ?q=.

    A number in ?q= is not searched: numbers go through the search box only.
    """
    key = request.GET.get("s")
    if key:
        return request.session.get("searches", {}).get(key, "")
    text = request.GET.get("q", "").strip()
    if text and is_number_search(text):
        messages.warning(
            request, _("ID numbers and mobiles are searched with the search box only.")
        )
        return ""
    return text


def _filtered(customers, q, params):
    customers = customers.search(q)
    if params.get("type") in CustomerType.values:
        customers = customers.filter(customer_type=params["type"])
    return customers.order_by("name", "pk")


def customer_detail(request, pk):
    customer = get_object_or_404(
        Customer.objects.visible_to(request.user).select_related(
            "village__township__branch", "group", "filed_by"
        ),
        pk=pk,
    )
    today = timezone.localdate()
    members = list(customer.members.all())
    for member in members:
        member.age = age_on(member.birth_date, today)
    shown = [n for n in [customer.id_number, *(m.id_number for m in members)] if n]
    if shown:  # the page shows full ID numbers: the access log keeps who saw them
        record_access(
            action=AccessAction.FULL_ID_VIEWED,
            now=timezone.now(),
            request=request,
            user=request.user,
            customer=customer,
            detail=_("ID numbers shown: %(count)d") % {"count": len(shown)},
        )
    return render(
        request,
        "archives/customer_detail.html",
        {
            "customer": customer,
            "age": age_on(customer.birth_date, today),
            "region": region_of(customer.id_number) if customer.id_number else "",
            "members": members,
            "members_away": sum(1 for m in members if m.works_away),
            "family_types": HAS_FAMILY,
            "asks_address": "address" in fields_for(customer.customer_type),
            "type_fields": [
                customer._meta.get_field(f)
                for f in TYPE_FIELDS[customer.customer_type]
                if f not in HOUSEHOLD_FORM_FIELDS
            ]
            + [
                customer._meta.get_field(f)
                for f in HOUSEHOLD_FORM_FIELDS
                if customer.customer_type in HAS_FAMILY
            ],
            "history": services.customer_history(customer),
            "can_edit": Customer.objects.editable_by(request.user).filter(pk=pk).exists(),
            **review_context(request.user, customer),
            "same_person": same_person(customer, request.user),
            "can_merge": may_merge(request.user),
        },
    )


@submissions.once
def customer_create(request, village_pk):
    village = get_object_or_404(Village.objects.editable_by(request.user), pk=village_pk)
    customer_type = request.GET.get("type") or request.POST.get("type")
    if customer_type not in CustomerType.values:
        return render(
            request,
            "archives/choose_type.html",
            {"village": village, "types": CustomerType.choices},
        )
    return _survey(request, village=village, customer=Customer(), customer_type=customer_type)


@submissions.once
def customer_edit(request, pk):
    customer = get_object_or_404(
        Customer.objects.editable_by(request.user).select_related("village"), pk=pk
    )
    return _survey(
        request, village=customer.village, customer=customer, customer_type=customer.customer_type
    )


def _survey(request, *, village, customer, customer_type):
    """Bind the survey form (and family rows), make the one service call, render or redirect."""
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = CustomerForm(
        data,
        instance=customer,
        village=village,
        customer_type=customer_type,
        today=today,
        user=request.user,
        # A post without the position's inputs (a script) leaves the position on file alone.
        position=data is None or "latitude" in data,
    )
    members = (
        FamilyFormSet(data, instance=customer, prefix="members", today=today, household=form)
        if customer_type in HAS_FAMILY
        else None
    )
    stale = None
    possible = None
    if data is not None:
        members_valid = members is None or members.is_valid()  # every row's errors shown
        if form.is_valid() and members_valid:
            created = customer.pk is None
            try:
                customer = services.file_customer(
                    form=form,
                    members=members,
                    user=request.user,
                    today=today,
                    warn_duplicates=data.get("not_a_duplicate") != "on",
                )
            except services.PossibleDuplicates as warned:
                possible = warned.candidates
                messages.warning(
                    request,
                    _(
                        "Nothing was saved yet: this may be a customer already on file. Check below."
                    ),
                )
            except versions.StaleEdit as refused:
                stale = refused
                versions.keep_input(form, refused)
            except services.AlreadyOnFile as duplicate:
                form.add_error(duplicate.field, duplicate_message(duplicate.existing, request.user))
                messages.error(
                    request, _("Nothing was saved: please correct the fields marked below.")
                )
            else:
                messages.success(
                    request,
                    (_("Filed %(name)s.") if created else _("Saved the changes to %(name)s."))
                    % {"name": customer.name},
                )
                return redirect(customer)
        else:
            messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return render(
        request,
        "archives/customer_form.html",
        {
            "village": village,
            "customer": customer,
            "customer_type": CustomerType(customer_type),
            "form": form,
            "members": members,
            "stale": stale,
            "possible": possible,
        },
        status=409 if stale else 200,
    )


def require_head_office(user):
    """Head-office-only pages are out of everyone else's scope: a 404 like any other."""
    if not (user.is_authenticated and (user.role == Role.HEAD_OFFICE or user.is_superuser)):
        raise Http404


def may_merge(user) -> bool:
    """The merge page is the branch head's (inside their branch) and head office's."""
    return user.is_authenticated and (user.is_head_office or user.role == Role.BRANCH_HEAD)


def same_person(customer, user):
    """The household or businesses of the same ID number (DOMAIN.md §7), as the user may see
    them: (record, visible); outside the user's scope nothing but that it exists."""
    records = linked(customer)
    visible = set(
        Customer.objects.visible_to(user)
        .filter(pk__in=[r.pk for r in records])
        .values_list("pk", flat=True)
    )
    return {
        "records": [(record, record.pk in visible) for record in records],
        "is_business": customer.customer_type in BUSINESS_TYPES,
    }
