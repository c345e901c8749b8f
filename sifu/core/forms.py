"""Form helpers shared by every app's office pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's refusal on the form: field errors by the field, the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class DateInput(forms.DateInput):
    """A native date picker that reads and writes YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class FilterForm(forms.Form):
    """A list's filters, read from the query string: invalid values are dropped, never an error page.

    A form with a ``community`` field offers the communities given as ``communities`` (pk, name
    pairs; the app's scope selector decides which), after "All communities".
    """

    EMPTY: tuple[Any, ...] = ("", None)  # values that mean "no filter"

    def __init__(self, data: Any = None, *, communities: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.community_choices: list[tuple[Any, str]] = []
        if communities is not None:
            self.community_choices = list(communities)
            self.fields["community"].choices = [("", _("All communities")), *self.community_choices]

    @property
    def filters(self) -> dict[str, Any]:
        """The valid filters given (invalid or empty ones are left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in self.EMPTY}
