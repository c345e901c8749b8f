"""Masking of personal information (DESIGN.md §4.7): what a viewer without the permission sees."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sifu.core.masking import mask_id_number, mask_name, mask_phone

DIGITS = "0123456789"


def test_phone_is_masked_as_the_issue_shows():
    assert mask_phone("13800131234") == "138****1234"


def test_id_number_keeps_region_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_name_keeps_the_surname():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李"


def test_empty_values_stay_empty():
    for mask in (mask_phone, mask_id_number, mask_name):
        assert mask(None) == ""
        assert mask("") == ""


def test_landlines_and_other_lengths_never_show_every_digit():
    assert mask_phone("26661234") == "266****4"
    assert mask_phone("0755-26661234") == "075******1234"
    assert mask_id_number("4403051980") == "44********"


def test_short_values_are_fully_hidden():
    assert mask_phone("10086") == "*****"
    assert mask_id_number("123456789") == "*********"


@given(st.text(DIGITS, min_size=11, max_size=11))
def test_masked_phone_hides_the_middle_four(phone):
    masked = mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]
    assert len(masked) == len(phone)


@given(st.text(DIGITS + "X", min_size=18, max_size=18))
def test_masked_id_number_hides_the_birth_date(id_number):
    masked = mask_id_number(id_number)
    assert len(masked) == 18
    assert masked[6:14] == "********"  # the birth date (characters 7–14) never shows
    assert masked[:6] == id_number[:6]
    assert masked[-4:] == id_number[-4:]


@given(st.text(min_size=1, max_size=40))
def test_masks_never_return_the_value_when_it_has_a_middle(value):
    """Whatever is stored, a masked value shows at most the kept ends, never the whole."""
    if len(value) >= 2:
        assert mask_name(value) != value or set(value[1:]) == {"*"}
    for mask, hidden in ((mask_phone, 4), (mask_id_number, 8)):
        masked = mask(value)
        assert len(masked) == len(value)
        kept = [i for i, c in enumerate(masked) if c != "*"]
        assert all(masked[i] == value[i] for i in kept)  # what shows is the value's own characters
        assert len(value) - len(kept) >= min(hidden, len(value)), (value, masked)
