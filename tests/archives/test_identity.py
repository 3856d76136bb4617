"""Resident ID numbers, credit codes, mobiles and masks: the rules as tables, no database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from archives.identity import (
    age_on,
    mask_id,
    mask_personal_numbers,
    mask_phone,
    parse_resident_id,
    validate_credit_code,
    validate_mobile,
)
from tests.builders import credit_code, resident_id, wrong_check_digit

TODAY = datetime.date(2026, 11, 22)


def with_check_digit(body17):
    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.mark.parametrize(
    ("number", "birth", "male"),
    [
        ("421122198801011228", datetime.date(1988, 1, 1), False),  # stdnum's validate() refuses it
        (with_check_digit("11010519491231002"), datetime.date(1949, 12, 31), False),
        (with_check_digit("42112220261122001"), TODAY, True),  # born today
        ("42112219880101122 8".replace(" ", ""), datetime.date(1988, 1, 1), False),
    ],
)
def test_a_real_number_is_accepted_with_birth_date_and_sex(number, birth, male):
    parsed = parse_resident_id(number, today=TODAY)
    assert parsed.birth_date == birth
    assert parsed.is_male is male


@pytest.mark.parametrize(
    "province", ["11", "15", "21", "37", "41", "46", "50", "54", "65", "71", "81", "82", "83"]
)
def test_every_province_level_code_is_accepted_at_the_edges_of_its_run(province):
    # The county code after it need not exist: below the province it is information only.
    parsed = parse_resident_id(with_check_digit(province + "999919880101122"), today=TODAY)
    assert parsed.birth_date == datetime.date(1988, 1, 1)


def test_hongan_county_code_is_accepted_whatever_the_birth_year_and_the_region_is_shown():
    # Hong'an's code 421122 dates from 1995; people born before carry it (DOMAIN.md §6).
    parsed = parse_resident_id("421122198801011228", today=TODAY)
    assert "红安" in parsed.region


def test_lower_case_x_check_digit_is_normalised():
    number = next(
        n for n in (with_check_digit(f"11010519900101{i:03d}") for i in range(200)) if n[-1] == "X"
    )
    assert parse_resident_id(number.lower(), today=TODAY).number == number


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (wrong_check_digit(resident_id("19880101")), "id_checksum"),
        (with_check_digit("42112220261123001"), "id_future_birth"),  # born tomorrow
        (with_check_digit("42112220300101011"), "id_future_birth"),
        ("421122198802300011", "id_birth_date"),  # 30 February
        (with_check_digit("42112218991231001"), "id_birth_date"),
        ("4211221988010112", "id_length"),
        ("4211221988010112281", "id_length"),
        ("42112219880101122A", "id_format"),
        ("", "id_length"),
        (with_check_digit("10112219880101122"), "id_province"),
        (with_check_digit("16112219880101122"), "id_province"),
        (with_check_digit("47112219880101122"), "id_province"),
        (with_check_digit("66112219880101122"), "id_province"),
        (with_check_digit("84112219880101122"), "id_province"),
        (with_check_digit("99112219880101122"), "id_province"),
    ],
    ids=[
        "wrong check digit",
        "born tomorrow",
        "born 2030",
        "30 February",
        "before 1900",
        "16 characters",
        "19 characters",
        "letter other than X",
        "empty",
        "10: below Beijing's 11",
        "16: after Inner Mongolia's 15",
        "47: after Hainan's 46",
        "66: after Xinjiang's 65",
        "84: after Taiwan residents' 83",
        "99",
    ],
)
def test_a_bad_number_is_refused_with_its_reason(number, code):
    with pytest.raises(ValidationError) as caught:
        parse_resident_id(number, today=TODAY)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_mobile_numbers_are_normalised(value, expected):
    assert validate_mobile(value) == expected


@pytest.mark.parametrize(
    "value",
    ["12812345678", "1381234567", "138123456789", "13812345678901234567", "0713-5241234", "abc"],
)
def test_a_bad_mobile_number_is_refused(value):
    with pytest.raises(ValidationError):
        validate_mobile(value)


def test_credit_codes_are_checked():
    good = credit_code()
    assert validate_credit_code(good.lower()) == good
    with pytest.raises(ValidationError):
        validate_credit_code(good[:-1] + ("0" if good[-1] != "0" else "1"))


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("421122198801011228", "421122********1228"),
        ("93421122MA00000014", "934211********0014"),
        ("", ""),
        ("12345", "*****"),
    ],
)
def test_id_numbers_are_masked_to_region_and_last_four(value, masked):
    assert mask_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"), [("13812345678", "138****5678"), ("", ""), ("12345", "*****")]
)
def test_phones_are_masked_to_first_three_and_last_four(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (datetime.date(1988, 11, 22), TODAY, 38),  # birthday today
        (datetime.date(1988, 11, 23), TODAY, 37),  # birthday tomorrow
        (datetime.date(2000, 2, 29), datetime.date(2026, 2, 28), 25),
        (datetime.date(2000, 2, 29), datetime.date(2026, 3, 1), 26),
        (None, TODAY, None),
    ],
)
def test_age_is_counted_in_whole_years_from_the_birth_date(birth, today, age):
    assert age_on(birth, today) == age


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("42112219880101122X", "421122********122X"),  # 17 digits and X: an ID
        ("42112219880101122x", "421122********122x"),
        ("421122198801011228", "421122********1228"),  # 18 digits: an ID
        ("42112219880101122", "42112219880101122"),  # 17 digits: not an ID nor a mobile
        ("4211221988010112281", "4211221988010112281"),  # 19 digits: a card, not an ID
        ("13812345678", "138****5678"),  # 11 digits from 13: a mobile
        ("19912345678", "199****5678"),  # up to 19
        ("12812345678", "12812345678"),  # 12 is no mobile prefix
        ("1381234567", "1381234567"),  # 10 digits
        ("138123456789", "138123456789"),  # 12 digits
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("电话13812345678号", "电话138****5678号"),
        ("", ""),
    ],
)
def test_ids_and_mobiles_inside_a_text_are_masked_at_their_exact_lengths(text, masked):
    assert mask_personal_numbers(text) == masked
