"""Validators for phone numbers, ID numbers (GB 11643) and USCCs (GB 32100).

Both check characters are ISO 7064 style checks over a prime modulus (11 and 31) with weights
that are never 0 modulo it, and the difference of two distinct symbols is smaller than the
modulus; so any single substitution changes the weighted sum modulo the prime and the expected
check character. The property tests below verify that claim for every position.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from sifu.core.validators import (
    ID_CHECK_CODES,
    ID_WEIGHTS,
    USCC_CHARSET,
    USCC_CIVIL_AFFAIRS_KINDS,
    USCC_DEPARTMENTS,
    USCC_WEIGHTS,
    birth_date_from_id,
    id_check_char,
    is_valid_id_number,
    is_valid_phone,
    is_valid_uscc,
    normalize_id_number,
    normalize_phone,
    normalize_uscc,
    uscc_check_char,
)

# Arbitrary text that PostgreSQL could store (no NUL, no lone surrogates).
any_text = st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]))
DIGITS = "0123456789"


def _fold(c: str) -> str:
    """What the validators make of one typed character (full-width → ASCII, upper case)."""
    return unicodedata.normalize("NFKC", c).strip().upper()


# --- strategies --------------------------------------------------------------------------------


@st.composite
def phones(draw) -> str:
    return "1" + draw(st.sampled_from("3456789")) + draw(st.text(DIGITS, min_size=9, max_size=9))


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=timezone.localdate()))
    seq = draw(st.text(DIGITS, min_size=3, max_size=3))
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + id_check_char(first17)


@st.composite
def usccs(draw) -> str:
    dept = draw(st.sampled_from(USCC_DEPARTMENTS))
    kind = draw(st.sampled_from(USCC_CIVIL_AFFAIRS_KINDS if dept == "5" else USCC_CHARSET))
    division = draw(st.text(DIGITS, min_size=6, max_size=6))
    org_code = draw(st.text(USCC_CHARSET, min_size=9, max_size=9))
    first17 = dept + kind + division + org_code
    return first17 + uscc_check_char(first17)


# --- phone -------------------------------------------------------------------------------------


@given(phones())
def test_valid_phones_pass_and_round_trip(phone):
    assert is_valid_phone(phone)
    assert normalize_phone(phone) == phone
    assert normalize_phone(normalize_phone(phone)) == phone


@given(phones(), st.sampled_from(["+86", "+86 ", "0086", "0086-", ""]), st.sampled_from([" ", "-", ""]))
def test_phone_with_country_code_and_separators_is_normalized(phone, prefix, sep):
    typed = f"{prefix}{phone[:3]}{sep}{phone[3:7]}{sep}{phone[7:]}"
    assert normalize_phone(typed) == phone
    assert normalize_phone(f"  {typed}  ") == phone


def test_phone_examples():
    assert normalize_phone("+86 138 0013 8000") == "13800138000"
    assert normalize_phone("0086-138-0013-8000") == "13800138000"
    assert normalize_phone("１３８００１３８０００") == "13800138000"  # full-width, as typed with a Chinese IME
    for bad in ["12800138000", "1380013800", "138001380001", "10086", "", "138-0013-800O", "+1 13800138000"]:
        assert not is_valid_phone(bad), bad


@given(any_text)
@example("138٠٠١٣٨٠٠٠")  # Arabic-Indic digits: \d matched them before the fix
@example("13８00138000")
def test_phone_accepts_only_canonical_ascii_numbers(text):
    try:
        result = normalize_phone(text)
    except ValidationError as exc:
        assert exc.code == "invalid_phone"
        return
    assert len(result) == 11
    assert result.isascii()
    assert result.isdigit()
    assert result[0] == "1"
    assert result[1] in "3456789"


@translation.override("en")  # the source strings, whatever catalogue is compiled
def test_phone_message_is_actionable():
    with pytest.raises(ValidationError) as exc:
        normalize_phone("12345")
    (message,) = exc.value.messages
    assert "12345" in message  # repeats what was typed
    assert "11 digits" in message
    assert "13–19" in message


# --- ID number (GB 11643) ----------------------------------------------------------------------


def test_id_algorithm_constants():
    # ISO 7064 MOD 11-2: weight i is 2^(17-i) mod 11; check codes for remainders 0..10.
    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == ID_WEIGHTS
    assert ID_CHECK_CODES == "10X98765432"


def test_id_known_examples():
    # The example printed in GB 11643-1999 itself, and its lowercase spelling.
    assert normalize_id_number("11010519491231002X") == "11010519491231002X"
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert birth_date_from_id("11010519491231002X") == dt.date(1949, 12, 31)
    # Same digits with a wrong check character.
    assert not is_valid_id_number("110105194912310021")
    # The standard's second example (born 1880) has a right check digit but no living resident
    # was born before 1900: refused for its birth date.
    with pytest.raises(ValidationError) as exc:
        normalize_id_number("440524188001010014")
    assert exc.value.code == "invalid_id_birth"


@given(id_numbers())
def test_valid_id_numbers_pass_and_round_trip(id_number):
    assert is_valid_id_number(id_number)
    assert normalize_id_number(id_number) == id_number
    assert normalize_id_number(id_number.lower()) == id_number  # a final x becomes X
    assert normalize_id_number(f" {id_number} ") == id_number


@given(id_numbers(), st.integers(0, 17), st.characters(exclude_characters="\x00", exclude_categories=["Cs"]))
@settings(max_examples=300)
def test_any_single_character_change_of_an_id_number_is_rejected(id_number, position, char):
    assume(_fold(char) != id_number[position])  # typing x for X, or ５ for 5, is not a change
    changed = id_number[:position] + char + id_number[position + 1 :]
    assert not is_valid_id_number(changed)


@pytest.mark.parametrize("position", range(18))
def test_every_digit_substitution_at_every_position_is_caught_by_the_check(position):
    """Exhaustive: for a valid number, every other digit (or X) at any position is refused."""
    base = "11010519491231002X"
    for char in "0123456789X":
        if char == base[position] or (char == "X" and position < 17):
            continue
        changed = base[:position] + char + base[position + 1 :]
        with pytest.raises(ValidationError) as exc:
            normalize_id_number(changed)
        # A substitution that still gives a real birth date is caught by the check character.
        if 6 <= position < 14 and exc.value.code == "invalid_id_birth":
            continue
        assert exc.value.code == "invalid_id_check", changed


@given(any_text)
@example("４４０３０５１９８００１０１００１３")  # full-width: folded to 440305198001010013
@example("٤٤٠٣٠٥١٩٨٠٠١٠١٠٠١٣")  # the same number in Arabic-Indic digits: \d matched them before the fix
def test_id_number_accepts_only_canonical_ascii(text):
    try:
        result = normalize_id_number(text)
    except ValidationError as exc:
        assert exc.code in {"invalid_id_length", "invalid_id_birth", "invalid_id_check"}
        return
    assert len(result) == 18
    assert result.isascii()
    assert result[:17].isdigit()
    assert result[17] == id_check_char(result[:17])


def test_id_future_or_impossible_birth_dates_are_refused():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for birth in [f"{tomorrow:%Y%m%d}", "19800230", "19801301", "18991231"]:
        first17 = f"440305{birth}001"
        with pytest.raises(ValidationError) as exc:
            normalize_id_number(first17 + id_check_char(first17))
        assert exc.value.code == "invalid_id_birth"


@translation.override("en")
def test_id_messages_are_actionable():
    cases = {
        "44030519800101": ("18 characters", "17 digits"),
        "440305198002300011": ("birth date", "7–14"),
        "110105194912310021": ("check character", "check each digit"),
    }
    for value, fragments in cases.items():
        with pytest.raises(ValidationError) as exc:
            normalize_id_number(value)
        (message,) = exc.value.messages
        for fragment in fragments:
            assert fragment in message, (value, message)


# --- USCC (GB 32100) ---------------------------------------------------------------------------


def test_uscc_algorithm_constants():
    # 31 symbols: digits and capitals without I, O, Z, S, V; weight i is 3^i mod 31.
    assert len(USCC_CHARSET) == 31
    assert not set("IOZSV") & set(USCC_CHARSET)
    assert set(USCC_CHARSET) == set(DIGITS + "ABCDEFGHJKLMNPQRTUWXY")
    assert tuple(pow(3, i, 31) for i in range(17)) == USCC_WEIGHTS


@pytest.mark.parametrize(
    "code",
    [
        "9144030071526726XG",  # a Shenzhen Nanshan company (published on its business licence)
        "914403001922038216",  # another Shenzhen company
        "91350100M000100Y43",  # the example used in GB 32100 explanations
        # Civil-affairs (5) codes of the two kinds a registered 社区社会组织 gets, Nanshan (440305):
        "51440305MJL17608" + "7" + uscc_check_char("51440305MJL176087"),
        "52440305MJL18123" + "4" + uscc_check_char("52440305MJL181234"),
    ],
)
def test_uscc_known_examples(code):
    assert normalize_uscc(code) == code
    assert normalize_uscc(code.lower()) == code
    assert normalize_uscc(f" {code} ") == code


@given(usccs())
def test_valid_usccs_pass_and_round_trip(code):
    assert is_valid_uscc(code)
    assert normalize_uscc(code) == code
    assert normalize_uscc(code.lower()) == code
    assert normalize_uscc(normalize_uscc(code)) == code


@given(usccs(), st.integers(0, 17), st.characters(exclude_characters="\x00", exclude_categories=["Cs"]))
@settings(max_examples=300)
def test_any_single_character_change_of_a_uscc_is_rejected(code, position, char):
    assume(_fold(char) != code[position])  # lower case or full-width spelling of the same symbol
    changed = code[:position] + char + code[position + 1 :]
    assert not is_valid_uscc(changed)


@pytest.mark.parametrize("position", range(18))
def test_every_symbol_substitution_at_every_position_is_caught_by_the_check(position):
    """Exhaustive over the 31 symbols: positions 9–18 have no other rule, so the check catches them."""
    base = "9144030071526726XG"
    for char in USCC_CHARSET:
        if char == base[position]:
            continue
        changed = base[:position] + char + base[position + 1 :]
        with pytest.raises(ValidationError) as exc:
            normalize_uscc(changed)
        if position >= 8:
            assert exc.value.code == "invalid_uscc_check", changed
        else:
            assert exc.value.code in {"invalid_uscc_kind", "invalid_uscc_division", "invalid_uscc_check"}


@given(usccs(), st.integers(0, 16), st.sampled_from("IOZSV"))
def test_uscc_charset_excludes_i_o_z_s_v(code, position, char):
    changed = code[:position] + char + code[position + 1 :]
    with pytest.raises(ValidationError) as exc:
        normalize_uscc(changed)
    assert exc.value.code == "invalid_uscc_chars"
    assert char in exc.value.messages[0]
    with pytest.raises(ValidationError):
        normalize_uscc(changed.lower())


@given(any_text)
@example("９１４４０３００７１５２６７２６ＸＧ")
def test_uscc_accepts_only_canonical_codes(text):
    try:
        result = normalize_uscc(text)
    except ValidationError as exc:
        assert exc.code.startswith("invalid_uscc_")
        return
    assert len(result) == 18
    assert set(result) <= set(USCC_CHARSET)
    assert result[17] == uscc_check_char(result[:17])


def test_id_number_full_width_is_folded():
    assert normalize_id_number("４４０３０５１９８００１０１００１３") == "440305198001010013"
    assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_uscc_full_width_is_folded():
    assert normalize_uscc("９１４４０３００７１５２６７２６ＸＧ") == "9144030071526726XG"


def test_uscc_civil_affairs_kinds():
    for kind in "1239":
        first17 = f"5{kind}440305MJL176087"
        assert is_valid_uscc(first17 + uscc_check_char(first17))
    for kind in "4AX":
        first17 = f"5{kind}440305MJL176087"
        with pytest.raises(ValidationError) as exc:
            normalize_uscc(first17 + uscc_check_char(first17))
        assert exc.value.code == "invalid_uscc_kind"


@translation.override("en")
def test_uscc_messages_are_actionable():
    cases = {
        "91440300715267": ("18 characters", "14"),
        "9144030071526726SG": ("S", "I, O, Z, S and V"),
        "B144030071526726XG": ("first two characters",),
        "91440A0071526726XG": ("3–8", "digits"),
        "9144030071526726XA": ("check character", "check each character"),
    }
    for value, fragments in cases.items():
        with pytest.raises(ValidationError) as exc:
            normalize_uscc(value)
        (message,) = exc.value.messages
        for fragment in fragments:
            assert fragment in message, (value, message)
