"""The unmasked-view log as a spreadsheet. It is a log: it names who saw which field of whom, and
never holds the phone numbers or ID numbers themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sifu.core.spreadsheets import Column, ListExporter
from sifu.privacy.models import SensitiveView


class SensitiveViewExporter(ListExporter):
    """One row per unmasked view, in the order of the queryset given (the page's: newest first)."""

    def get_columns(self) -> Sequence[Column]:
        return [
            Column(_("When"), width=18),
            Column(_("Viewer"), width=16),
            Column(_("Login name"), width=16),
            Column(_("Person"), width=14),
            Column(pgettext("privacy log", "Field"), width=14),
            Column(pgettext("privacy log", "Where"), width=48),
        ]

    def __init__(self, items: Any, **kwargs: Any) -> None:
        kwargs.setdefault("sheet_title", _("Unmasked views"))
        super().__init__(items, **kwargs)

    def row(self, item: SensitiveView) -> Sequence[Any]:
        return [
            item.at,
            str(item.user),
            item.user.username,
            item.person.name if item.person is not None else "",
            item.get_field_display(),
            item.context,
        ]
