"""A logging filter that masks resident ID numbers and mobiles in every record a handler writes.

On every handler of settings.LOGGING: a unique-violation detail ("Key (id_number)=(…)
already exists"), a request line with a number in its query string (django.server,
gunicorn.access) or a traceback never carries a full ID number or mobile to a log.
"""

import logging
from collections.abc import Mapping

from archives.identity import mask_personal_numbers


def _masked(value):
    return mask_personal_numbers(value) if isinstance(value, str) else value


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked(value) for value in record.args)
        # Arguments that are not text (a number, an exception, a request) are masked
        # once formatted: the record then carries its finished, masked message.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = None  # a malformed record: logging reports it as it would anyway
        if message is not None and mask_personal_numbers(message) != message:
            record.msg, record.args = mask_personal_numbers(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = _masked(record.exc_text)
        record.stack_info = _masked(record.stack_info)
        return True
