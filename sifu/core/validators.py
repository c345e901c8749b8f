"""Validators for personal and organizational identifiers.

- Mainland mobile numbers: 11 digits starting 13–19.
- Resident ID numbers (居民身份证号码): GB 11643-1999, 18 characters, ISO 7064 MOD 11-2 check.
- Unified social credit codes (统一社会信用代码): GB 32100-2015, 18 characters, MOD 31 check.

Each ``normalize_*`` returns the canonical form or raises ``ValidationError`` with a message a
user can act on. ``is_valid_*`` are the boolean forms.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_PHONE_STRIP = re.compile(r"[\s\-]")


def _fold(value: str | None) -> str:
    """Full-width characters typed with a Chinese input method (１３８, ＋８６, ｘ) become ASCII.

    Patterns below use ``[0-9]``, not ``\\d``: ``\\d`` also matches other scripts' digits
    (e.g. ١٣٨), which would be stored as a second, non-canonical spelling of the same number.
    """
    return unicodedata.normalize("NFKC", str(value or ""))


def normalize_phone(value: str) -> str:
    raw = _PHONE_STRIP.sub("", _fold(value))
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    if not _PHONE_RE.match(raw):
        raise ValidationError(
            _("“%(value)s” is not a mainland mobile number: use 11 digits starting with 13–19."),
            code="invalid_phone",
            params={"value": value},
        )
    return raw


def is_valid_phone(value: str) -> bool:
    try:
        normalize_phone(value)
    except ValidationError:
        return False
    return True


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CODES[total % 11]


def normalize_id_number(value: str) -> str:
    raw = _fold(value).strip().upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", raw):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."),
            code="invalid_id_length",
        )
    try:
        birth = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(
            _("The ID number's birth date (characters 7–14) is not a real date."),
            code="invalid_id_birth",
        )
    expected = id_check_char(raw[:17])
    if raw[17] != expected:
        raise ValidationError(
            _("The ID number's check character is wrong: please check each digit."),
            code="invalid_id_check",
        )
    return raw


def is_valid_id_number(value: str) -> bool:
    try:
        normalize_id_number(value)
    except ValidationError:
        return False
    return True


def birth_date_from_id(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Position 1: registration department (1 编办, 2 外交, 3 司法, 4 文化, 5 民政, 6 旅游, 7 宗教,
# 8 工会, 9 市场监管, A 军队, N 农业, Y 其他). Position 2 is the kind within that department.
USCC_DEPARTMENTS = "123456789ANY"
# Civil affairs (民政) kinds: 1 social association, 2 private non-enterprise unit, 3 foundation, 9 other.
USCC_CIVIL_AFFAIRS_KINDS = "1239"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    raw = _fold(value).strip().upper()
    if len(raw) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="invalid_uscc_length",
            params={"n": len(raw)},
        )
    bad = sorted({c for c in raw if c not in USCC_CHARSET})
    if bad:
        raise ValidationError(
            _("A unified social credit code never contains %(chars)s (I, O, Z, S and V are not used)."),
            code="invalid_uscc_chars",
            params={"chars": "、".join(bad)},
        )
    if raw[0] not in USCC_DEPARTMENTS or (raw[0] == "5" and raw[1] not in USCC_CIVIL_AFFAIRS_KINDS):
        raise ValidationError(
            _("The first two characters (registration department and kind) are not a valid pair."),
            code="invalid_uscc_kind",
        )
    if not raw[2:8].isdigit():
        raise ValidationError(
            _("Characters 3–8 of the code are the administrative division code and must be digits."),
            code="invalid_uscc_division",
        )
    if raw[17] != uscc_check_char(raw[:17]):
        raise ValidationError(
            _("The code's check character is wrong: please check each character."),
            code="invalid_uscc_check",
        )
    return raw


def is_valid_uscc(value: str) -> bool:
    try:
        normalize_uscc(value)
    except ValidationError:
        return False
    return True
