"""Checks and masks for personal identifiers: resident ID numbers, credit codes, mobiles.

Pure functions: the caller passes today's date; nothing here reads the clock.
"""

import datetime
import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# The province-level codes of GB/T 2260 (every edition since 1980: Hainan's 46 from 1988
# and Chongqing's 50 from 1997 are in; none was withdrawn), Taiwan's 71, and the
# residence permits of Hong Kong, Macao and Taiwan residents (81, 82, 83). DOMAIN.md §7:
# a number outside them is refused; below the province the region is information only.
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23"}
    | {"31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65", "71", "81", "82", "83"}
)
# Inside free text (a note, a log line, an "other contact" cell): an 18-character ID
# number (17 digits, then a digit or X) or an 11-digit mobile, not part of a longer
# number; as people type them, with a space or a dash between the groups too.
ID_IN_TEXT = re.compile(r"(?<!\d)(\d{6})[ -]?\d{8}[ -]?(\d{3}[0-9Xx])(?!\d)")
MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)")


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    is_male: bool
    region: str  # informational only: the county code may be newer than the birth year


def parse_resident_id(value: str, *, today: datetime.date) -> ResidentId:
    """Return the normalised number with what it tells, or raise ValidationError in Chinese.

    stdnum checks length, digits, check digit and birth date; its region check is
    deliberately not used (see DOMAIN.md §6) and future birth dates are refused here.
    """
    number = ric.compact(value or "")
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(n)d.") % {"n": len(number)},
            code="id_length",
        )
    if not number[:-1].isdigit() or not (number[-1].isdigit() or number[-1] == "X"):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."), code="id_format"
        )
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _(
                "An ID number starts with a province's code (11 to 65, or 71, 81, 82, 83); "
                "%(code)s is none."
            )
            % {"code": number[:2]},
            code="id_province",
        )
    try:
        birth_date = ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError(
            _("The birth date in this ID number (%(d)s) is not a real date.") % {"d": number[6:14]},
            code="id_birth_date",
        ) from None
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(
            _("The check digit of this ID number is wrong (the last character should be %(c)s).")
            % {"c": ric.calc_check_digit(number)},
            code="id_checksum",
        )
    if birth_date > today:
        raise ValidationError(
            _("The birth date in this ID number (%(d)s) is in the future.")
            % {"d": birth_date.isoformat()},
            code="id_future_birth",
        )
    if birth_date.year < 1900:
        raise ValidationError(
            _("The birth year in this ID number (%(y)d) is before 1900.") % {"y": birth_date.year},
            code="id_birth_date",
        )
    return ResidentId(
        number=number,
        birth_date=birth_date,
        is_male=int(number[16]) % 2 == 1,
        region=region_of(number),
    )


def region_of(number: str) -> str:
    """The region the county code names, for information; empty when unknown."""
    return _region(number[:6])


@functools.lru_cache(maxsize=8192)  # an import's rows share a few hundred county codes
def _region(code: str) -> str:
    results = numdb.get("cn/loc").info(code)
    info = {k: v for _part, props in results for k, v in props.items()}
    parts = [info.get("province", ""), info.get("prefecture", ""), info.get("county", "")]
    # stdnum marks historical names as "[1980-1995]Name,Name2"; keep the readable names.
    cleaned = [re.sub(r"\[[^\]]*\]", "", p).split(",")[-1] for p in parts if p]
    return "".join(dict.fromkeys(cleaned))


def validate_credit_code(value: str) -> str:
    """Normalise and check a unified social credit code (统一社会信用代码)."""
    code = uscc.compact(value or "")
    try:
        return uscc.validate(code)
    except StdnumError:
        raise ValidationError(
            _("This is not a valid unified social credit code (18 characters with a check digit)."),
            code="uscc_invalid",
        ) from None


def validate_mobile(value: str) -> str:
    number = re.sub(r"[\s-]", "", value or "")
    if number.startswith("+86"):
        number = number[3:]
    if not MOBILE_RE.match(number):
        raise ValidationError(
            _("A mobile number has 11 digits and starts with 13-19; got %(v)s.")
            % {"v": value[:30]},
            code="mobile_invalid",
        )
    return number


def age_on(birth_date: datetime.date | None, today: datetime.date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def mask_id(value: str) -> str:
    """110105199001010022 -> 110105********0022; short values are hidden whole."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_personal_numbers(text: str) -> str:
    """Mask every ID number and mobile inside a text, as mask_id and mask_phone do."""
    if not text:
        return text
    text = ID_IN_TEXT.sub(r"\1********\2", text)
    return MOBILE_IN_TEXT.sub(r"\1****\2", text)


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
