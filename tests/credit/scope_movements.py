"""Scope rows of the large movement pages (DOMAIN.md §5.5): url name -> (args, roles allowed).

Everyone with corporate pages has a morning notice and a follow-up list of their own
(maybe empty); a large cross-bank outflow of company_1 is followed up by its A manager
(corp_a1) alone.
"""

from tests.credit.people import CORPORATE


def a_large_outflow(w):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from archives.models import Movement

    return Movement.objects.create(
        account="1820100000012345",
        date=timezone.localdate() - datetime.timedelta(days=1),
        sequence="1",
        identifier=w.company_1.credit_code,
        direction="out",
        counterparty_bank="中国工商银行",
        cross_bank=True,
        amount=Decimal("12000000.00"),
        imported_at=timezone.now(),
    )


SCOPE: dict = {
    "credit:movements": (lambda w: [], CORPORATE),
    "credit:movement_follow_ups": (lambda w: [], CORPORATE),
    "credit:movement_follow_up": (lambda w: [a_large_outflow(w).pk], {"corp_a1"}),
}
ALLOWED_STATUS: dict = {}
