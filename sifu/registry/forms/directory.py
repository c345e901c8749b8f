"""The public directory's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sifu.core.forms import FilterForm
from sifu.registry import selectors
from sifu.registry.models import Organization


class DirectoryFilterForm(FilterForm):
    """The public directory's search and filters (communities: those with public organizations)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or what they do")}),
    )
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Organization.Category.choices]
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, communities=selectors.public_communities().values_list("pk", "name"), **kwargs)
