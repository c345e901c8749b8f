"""Forms for people: the list's filters, the person form, and the new-person fields other forms reuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sifu.accounts.models import Area
from sifu.core.forms import FilterForm
from sifu.core.masking import mask_id_number, mask_phone
from sifu.core.permissions import Perm
from sifu.core.validators import normalize_id_number, normalize_phone
from sifu.registry import selectors
from sifu.registry.models import Person


def _phone_input() -> forms.TextInput:
    return forms.TextInput(
        attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off", "placeholder": "13812345678"}
    )


def _id_input() -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": _("18 characters")})


GENDER_CHOICES = [("", _("Not recorded")), *Person.Gender.choices]


class IdentifierFieldsMixin:
    """Check phone and ID number as soon as the form is cleaned, so every field error shows at once.

    The services check them again (they are the rule); this only saves the user a second round.
    """

    cleaned_data: dict[str, Any]

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip()
        return normalize_phone(value) if value else ""

    def clean_id_number(self) -> str:
        value = (self.cleaned_data.get("id_number") or "").strip()
        return normalize_id_number(value) if value else ""


class PersonFilterForm(FilterForm):
    """The people list's search and filters, read from the query string."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, phone (or its last 4 digits) or ID number")}
        ),
    )
    political_status = forms.ChoiceField(
        label=_("Political status"),
        required=False,
        choices=[("", _("Any")), ("party", _("CPC members (incl. probationary)")), *Person.PoliticalStatus.choices],
    )
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        communities = selectors.communities_in_scope(user, Perm.PEOPLE_VIEW).values_list("pk", "name")
        super().__init__(data, communities=communities, **kwargs)
        self.show_community = len(self.community_choices) > 1


class PersonForm(IdentifierFieldsMixin, forms.Form):
    """Create or edit a person. Editing never shows the full phone or ID number: an empty box keeps it."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=40)
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=GENDER_CHOICES)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=20, widget=_phone_input())
    clear_phone = forms.BooleanField(label=_("Remove the recorded phone number"), required=False)
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=24, widget=_id_input())
    clear_id_number = forms.BooleanField(label=_("Remove the recorded ID number"), required=False)
    political_status = forms.ChoiceField(
        label=_("Political status"), choices=Person.PoliticalStatus.choices, initial=Person.PoliticalStatus.MASSES
    )
    community = forms.ModelChoiceField(label=_("Community of residence"), queryset=Area.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self,
        *args: Any,
        communities: Any,
        community_required: bool = False,
        person: Person | None = None,
        **kwargs: Any,
    ) -> None:
        self.person = person
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": person.name,
                    "gender": person.gender,
                    "political_status": person.political_status,
                    "community": person.community_id,
                    "note": person.note,
                },
            )
        super().__init__(*args, **kwargs)
        if person is not None and person.community_id:
            communities = communities | Area.objects.filter(pk=person.community_id)
        community = self.fields["community"]
        assert isinstance(community, forms.ModelChoiceField)
        community.queryset = communities.order_by("path")
        community.required = community_required
        if person is None and not self.is_bound:
            only = list(communities.order_by("path")[:2])
            if len(only) == 1:  # one community in scope: the obvious choice
                self.initial.setdefault("community", only[0].pk)
        community.empty_label = _("Choose a community") if community_required else _("Not recorded")
        if community_required:
            community.help_text = _("People are kept in the community where they live.")
        if person is None or not person.phone:
            del self.fields["clear_phone"]
        else:
            self.fields["phone"].help_text = _("Recorded: %(masked)s. Leave empty to keep it.") % {
                "masked": mask_phone(person.phone)
            }
        if person is None or not person.id_number:
            del self.fields["clear_id_number"]
        else:
            self.fields["id_number"].help_text = _("Recorded: %(masked)s. Leave empty to keep it.") % {
                "masked": mask_id_number(person.id_number)
            }

    def create_data(self) -> dict[str, Any]:
        """Keyword arguments for ``services.person_create``."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "gender": data["gender"],
            "phone": data["phone"] or None,
            "id_number": data["id_number"] or None,
            "political_status": data["political_status"],
            "community": data["community"],
            "note": data["note"],
        }

    def update_data(self) -> dict[str, Any]:
        """The ``data`` for ``services.person_update``: fields given; empty identifiers are kept."""
        data = self.cleaned_data
        changes = {name: data[name] for name in ("name", "gender", "political_status", "community", "note")}
        for field in ("phone", "id_number"):
            if data.get(f"clear_{field}"):
                changes[field] = None
            elif data[field]:
                changes[field] = data[field]
        return changes


class NewPersonFields(IdentifierFieldsMixin, forms.Form):
    """Who: an existing resident (matched by ID number or phone, with the same name) or a new one."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=40)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=20, widget=_phone_input())
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=24, widget=_id_input())
    political_status = forms.ChoiceField(
        label=_("Political status"),
        choices=Person.PoliticalStatus.choices,
        initial=Person.PoliticalStatus.MASSES,
    )

    def person_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "phone": data["phone"] or None,
            "id_number": data["id_number"] or None,
            "political_status": data["political_status"],
        }
