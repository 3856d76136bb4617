"""The merge page: two records believed to be one person made one (archives/merge.py).

The branch head's (both records inside their branch) and head office's; everyone
else, and any record outside the user's scope, gets a 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import dupes, merge
from ..models import Customer, CustomerMerge
from .archive import may_merge

SEARCH_SHOWN = 20


def _scope(user):
    if not may_merge(user):
        raise Http404
    return Customer.objects.visible_to(user).select_related("village", "group", "filed_by")


def customer_merge(request, pk):
    customers = _scope(request.user)
    if request.method == "POST":
        # A second click after the merge finds one of the two gone: the kept record's page.
        for gone in (pk, request.POST.get("other")):
            done = CustomerMerge.objects.filter(merged_pk=_int(gone), kept__in=customers).first()
            if done is not None:
                messages.info(request, _("These records were merged already."))
                return redirect("archives:customer", done.kept_id)
    customer = get_object_or_404(customers, pk=pk)
    same_type = customers.filter(customer_type=customer.customer_type).exclude(pk=pk)
    other = None
    if request.method == "POST":
        other = get_object_or_404(same_type, pk=_int(request.POST.get("other")))
        return _merge(request, customer, other)
    if request.GET.get("other"):
        other = get_object_or_404(same_type, pk=_int(request.GET["other"]))
        return _compare(request, customer, other)
    q = request.GET.get("q", "").strip()[:30]
    found = (
        [c for c in same_type.filter(name__contains=q).order_by("name", "pk")[:SEARCH_SHOWN]]
        if q
        else []
    )
    possible = [
        c
        for c in dupes.candidates(
            village=customer.village, identity=dupes.identity_of(customer), exclude_pk=pk
        )
        if c.customer.customer_type == customer.customer_type
    ]
    return render(
        request,
        "archives/merge_choose.html",
        {"customer": customer, "possible": possible, "found": found, "q": q},
    )


def _compare(request, customer, other, status=200):
    pair = [customer, other]
    counts = merge.related_counts(pair)
    rows = [
        (
            str(Customer._meta.get_field(name).verbose_name),
            [_shown(record, name) for record in pair],
        )
        for name in merge.COMPARED
    ]
    return render(
        request,
        "archives/merge_compare.html",
        {
            "customer": customer,
            "other": other,
            "records": [(r, merge.version(r), counts[r.pk]) for r in pair],
            "rows": rows,
            "kept": request.POST.get("kept") or str(customer.pk),
        },
        status=status,
    )


def _shown(record, name):
    if name == "id_number":
        return record.masked_id or "—"
    if name == "phone":
        return record.masked_phone or "—"
    if name == "customer_type":
        return record.get_customer_type_display()
    value = getattr(record, name)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value) if value not in (None, "") else "—"


def _merge(request, customer, other):
    kept_pk = _int(request.POST.get("kept"))
    if kept_pk not in (customer.pk, other.pk):
        messages.error(request, _("Choose the record to keep."))
        return _compare(request, customer, other, status=400)
    merged_pk = other.pk if kept_pk == customer.pk else customer.pk
    seen = {pk: request.POST.get(f"version-{pk}", "") for pk in (customer.pk, other.pk)}
    try:
        done = merge.merge_customers(
            kept_pk=kept_pk, merged_pk=merged_pk, seen=seen, user=request.user, now=timezone.now()
        )
    except merge.AlreadyMerged as already:
        messages.info(request, _("These records were merged already."))
        return redirect("archives:customer", already.merge.kept_id)
    except merge.MergeStale:
        messages.error(
            request,
            _(
                "One of the two records was changed since you opened this page, and nothing "
                "was merged. Look at them again below."
            ),
        )
        return _compare(request, customer, other, status=409)
    except merge.MergeRefused as refused:
        messages.error(request, str(refused))
        return _compare(request, customer, other, status=400)
    messages.success(
        request,
        _("Merged %(merged)s into %(kept)s; both histories are on this page.")
        % {"merged": done.merged_name, "kept": done.kept.name},
    )
    return redirect("archives:customer", done.kept_id)


def _int(text) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
