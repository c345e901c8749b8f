"""Form fields that read spreadsheet cells: text, identifiers, dates and fixed word lists."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy


def empty_cell(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\u3000"))


def _number_text(value: float | int | Decimal) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


REQUIRED = gettext_lazy("This cell is empty; fill it in.")


class CellTextField(forms.CharField):
    """Text from a cell: numbers typed into text columns (phones, codes) become their digits."""

    default_error_messages = {"required": REQUIRED}

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, int | float | Decimal):
            value = _number_text(value)
        elif isinstance(value, dt.datetime):
            value = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        return super().to_python(value)


class CellIdentifierField(CellTextField):
    """An identifier that must be typed as text: Excel keeps only 15 significant digits of numbers."""

    default_error_messages = {
        "required": REQUIRED,
        "number": gettext_lazy(
            "This was stored as a number, so Excel dropped digits beyond the 15th. "
            "Format the column as text and type it again."
        ),
    }

    def __init__(self, *, max_digits_as_number: int = 15, **kwargs: Any) -> None:
        self.max_digits_as_number = max_digits_as_number
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str | None:
        is_number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        if is_number and len(_number_text(abs(int(value)))) > self.max_digits_as_number:
            raise ValidationError(self.error_messages["number"], code="number")
        return super().to_python(value)


_DATE_TEXT = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


class CellDateField(forms.Field):
    """A date: a real Excel date cell, or text YYYY-MM-DD (YYYY/MM/DD accepted). Never in the future."""

    default_error_messages = {
        "required": REQUIRED,
        "invalid": gettext_lazy("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2021-03-15."),
        "not_real": gettext_lazy("“%(value)s” is not a real calendar date."),
        "number": gettext_lazy(
            "This cell holds the number %(value)s, not a date: format the cell as a date or type YYYY-MM-DD."
        ),
        "future": gettext_lazy("The date %(value)s is in the future."),
    }

    def __init__(self, *, allow_future: bool = False, **kwargs: Any) -> None:
        self.allow_future = allow_future
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if empty_cell(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            raise ValidationError(self.error_messages["number"], code="number", params={"value": _number_text(value)})
        text = str(value).strip()
        match = _DATE_TEXT.match(text)
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": text})
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            raise ValidationError(self.error_messages["not_real"], code="not_real", params={"value": text}) from exc

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        if value and not self.allow_future and value > timezone.localdate():
            raise ValidationError(self.error_messages["future"], code="future", params={"value": value.isoformat()})


class CellChoiceField(forms.Field):
    """One of a fixed list of words (e.g. 社团型|民非型), returned as the model's value.

    ``choices`` maps each accepted word to its value; ``aliases`` adds tolerated spellings.
    """

    default_error_messages = {
        "required": REQUIRED,
        "invalid_choice": gettext_lazy("“%(value)s” is not allowed here. Use one of: %(choices)s."),
    }

    def __init__(
        self, *, choices: Mapping[str, Any], aliases: Mapping[str, str] | None = None, default: Any = None, **kwargs
    ) -> None:
        self.mapping = dict(choices)
        self.aliases = dict(aliases or {})
        self.default = default
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, bool):
            value = "是" if value else "否"
        if empty_cell(value):
            return self.default
        text = str(value).strip().replace(" ", "")
        text = self.aliases.get(text, text)
        if text not in self.mapping:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value, "choices": "|".join(self.mapping)},
            )
        return self.mapping[text]

    def validate(self, value: Any) -> None:
        if self.required and value is None:
            raise ValidationError(self.error_messages["required"], code="required")
