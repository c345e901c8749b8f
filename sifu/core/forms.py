"""Form helpers shared by every app's office pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _


def add_service_error(
    form: forms.BaseForm, exc: ValidationError | PermissionDenied, *, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: field errors by the field, the rest above the form.

    ``fields`` maps a service's field name to the form's where they differ (``{"password": "password1"}``).
    A PermissionDenied is shown above the form with its message.
    """
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or _("You are not allowed to do this."))
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = (fields or {}).get(field, field)
        form.add_error(target if target in form.fields else None, errors)


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
            community = self.fields["community"]
            assert isinstance(community, forms.ChoiceField)
            community.choices = [("", _("All communities")), *self.community_choices]

    @property
    def filters(self) -> dict[str, Any]:
        """The valid filters given (invalid or empty ones are left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in self.EMPTY}
