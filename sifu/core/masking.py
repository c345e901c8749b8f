"""Masking of personal information (DESIGN.md §4.7). Masked unless the viewer may see it."""

from __future__ import annotations


def _mask_middle(value: str, *, head: int, tail: int, hidden: int) -> str:
    """Keep at most ``head`` and ``tail`` characters, hiding at least ``hidden``; length is kept.

    (A fixed ``value[:3] + "****" + value[-4:]`` would print every digit of an 8-digit landline.)
    """
    n_hidden = max(hidden, len(value) - head - tail)
    n_head = min(head, len(value) - n_hidden)
    n_tail = len(value) - n_hidden - n_head
    return value[:n_head] + "*" * n_hidden + (value[-n_tail:] if n_tail else "")


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return _mask_middle(value, head=3, tail=4, hidden=4)


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return _mask_middle(value, head=6, tail=4, hidden=8)


def mask_name(value: str | None) -> str:
    """张三丰 → 张**; used where even names must not be shown in full (public pages)."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
