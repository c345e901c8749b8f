"""Masking of personal information (DESIGN.md §4.7). Masked unless the viewer may see it."""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_name(value: str | None) -> str:
    """张三丰 → 张**; used where even names must not be shown in full (public pages)."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
