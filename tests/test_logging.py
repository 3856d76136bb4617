"""Logs never carry a full ID number or mobile: every handler masks them.

Before, a unique violation on PostgreSQL logged "Key (id_number)=(<full number>)
already exists", and a search by ID number stood in the access log's request line.
"""

import contextlib
import io
import logging

import pytest
from django.db import IntegrityError, connection, transaction

from archives.models import Customer
from hongan_visits.log_filters import MaskPersonalData
from tests.builders import make_customer, resident_id

NUMBER = resident_id("19880101")
MOBILE = "13987654321"


def all_handlers():
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    return [
        (getattr(logger, "name", "root"), handler)
        for logger in loggers
        if isinstance(logger, logging.Logger)
        for handler in logger.handlers
    ]


def test_every_handler_of_every_logger_masks_personal_data():
    handlers = all_handlers()
    assert {name for name, _h in handlers} >= {"root", "django.server", "gunicorn.access"}
    for name, handler in handlers:
        if isinstance(handler, logging.NullHandler) or type(handler).__module__.startswith(
            "_pytest"
        ):
            continue  # writes nothing / pytest's own capture, not the project's
        assert any(isinstance(f, MaskPersonalData) for f in handler.filters), (name, handler)


@contextlib.contextmanager
def written(logger_name):
    """What the handlers a record of `logger_name` reaches write, as text."""
    logger, reached = logging.getLogger(logger_name), []
    while logger:
        reached += [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
        logger = logger.parent if logger.propagate else None
    assert reached, logger_name
    buffer = io.StringIO()
    old = [h.setStream(buffer) for h in reached]
    try:
        yield buffer
    finally:
        for handler, stream in zip(reached, old, strict=True):
            handler.setStream(stream)


@pytest.mark.django_db
def test_a_unique_violation_detail_is_masked_in_the_log(world):
    make_customer(world.village_a, name="甲", id_number=NUMBER)
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        make_customer(world.village_b, name="乙", id_number=NUMBER)
    detail = str(raised.value)
    if connection.vendor == "postgresql":
        assert NUMBER in detail  # PostgreSQL names the value; SQLite only the column
    with written("django.request") as out:
        try:
            raise raised.value
        except IntegrityError:
            logging.getLogger("django.request").exception("Internal Server Error: %s", detail)
    text = out.getvalue()
    assert "IntegrityError" in text
    assert NUMBER not in text
    assert Customer.objects.filter(id_number=NUMBER).count() == 1


@pytest.mark.parametrize(
    ("logger_name", "message", "args"),
    [
        # A unique violation's detail as PostgreSQL words it, in the message or an argument.
        ("django.db.backends", f"Key (id_number)=({NUMBER}) already exists.", ()),
        ("archives", "failed: %s", (f"Key (id_number)=({NUMBER}) already exists.",)),
        # runserver's request line (django.server) and gunicorn's access line (a dict).
        ("django.server", '"%s" %s %s', (f"GET /customers/?q={NUMBER} HTTP/1.1", "200", "5")),
        (
            "gunicorn.access",
            '%(h)s "%(r)s" %(s)s',
            ({"h": "10.0.0.1", "r": f"GET /customers/?q={MOBILE} HTTP/1.1", "s": "200"},),
        ),
        # Not text: a number given to %d, an exception.
        ("archives", "phone %d", (int(MOBILE),)),
        ("jobs", "error %s", (ValueError(f"bad row {NUMBER}"),)),
        ("gunicorn.error", "worker says %s", (f"{MOBILE[:3]} {MOBILE[3:7]} {MOBILE[7:]}",)),
    ],
)
def test_ids_and_mobiles_are_masked_in_message_and_args(logger_name, message, args):
    with written(logger_name) as out:
        logging.getLogger(logger_name).warning(message, *args)
    text = out.getvalue()
    assert text.strip()
    assert NUMBER not in text
    assert MOBILE not in text.replace(" ", "")
    assert "****" in text
