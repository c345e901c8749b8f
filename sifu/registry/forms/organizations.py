"""Forms for organizations: the office list's filters, create, and the profile edit."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sifu.core.forms import DateInput, FilterForm
from sifu.core.masking import mask_phone
from sifu.core.permissions import Perm
from sifu.registry import selectors
from sifu.registry.models import Organization, Person
from sifu.registry.services import PROFILE_FIELDS

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class OrganizationFilterForm(FilterForm):
    """The office list's filters and sort, read from the query string (bookmarkable).

    Invalid values are dropped (the list then ignores that filter) rather than shown as errors.
    """

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, filing number or USCC")}),
    )
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *Organization.Category.choices]
    )
    nature = forms.ChoiceField(
        label=_("Nature"), required=False, choices=[("", _("Any")), *Organization.Nature.choices]
    )
    legal_status = forms.ChoiceField(
        label=_("Legal status"), required=False, choices=[("", _("Any")), *Organization.LegalStatus.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            (Organization.Status.PROPOSED, Organization.Status.PROPOSED.label),
            (Organization.Status.INCUBATING, _("Proposed or incubating")),
            (Organization.Status.ACTIVE, Organization.Status.ACTIVE.label),
            (Organization.Status.DORMANT, Organization.Status.DORMANT.label),
            (Organization.Status.DISSOLVED, Organization.Status.DISSOLVED.label),
        ],
    )
    party_branch = forms.ChoiceField(label=_("Party branch"), required=False, choices=YES_NO)
    party_members = forms.ChoiceField(label=_("Has party members"), required=False, choices=YES_NO)
    filing = forms.ChoiceField(
        label=_("Filing"),
        required=False,
        choices=[("", _("Any")), ("expiring", _("Expiring within 30 days or expired"))],
    )
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[("", "")] + [(f"{d}{k}", k) for k in selectors.ORGANIZATION_SORTS for d in ("", "-")],
    )

    # Names of the fields that narrow the list (everything but the sort).
    FILTERS = (
        "q",
        "community",
        "category",
        "nature",
        "legal_status",
        "status",
        "party_branch",
        "party_members",
        "filing",
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        communities = selectors.communities_in_scope(user, Perm.ORG_VIEW).values_list("pk", "name")
        super().__init__(data, communities=communities, **kwargs)

    @property
    def active_count(self) -> int:
        return sum(1 for name in self.FILTERS if name in self.filters)


ORGANIZATION_WIDGETS = {
    "founded_on": DateInput(),
    "party_branch_founded_on": DateInput(),
    "purpose": forms.Textarea(attrs={"rows": 3}),
    "service_scope": forms.Textarea(attrs={"rows": 3}),
}


class OrganizationCreateForm(forms.ModelForm):
    """A new organization (proposed). Community choices: where the user may add organizations."""

    class Meta:
        model = Organization
        fields = [
            "name",
            "community",
            "form",
            "nature",
            "category",
            "guiding_unit",
            "founded_on",
            "venue",
            "venue_kind",
            "funding_source",
            "purpose",
            "service_scope",
            "party_clause_in_charter",
            "party_branch_name",
            "party_branch_founded_on",
        ]
        widgets = ORGANIZATION_WIDGETS

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = selectors.communities_in_scope(user, Perm.ORG_CREATE)
        community = self.fields["community"]
        assert isinstance(community, forms.ModelChoiceField)
        community.queryset = communities
        community.empty_label = _("Choose a community")
        only = communities[:2]
        if len(only) == 1:  # community staff: their community, chosen already
            community.initial = only[0].pk


class PersonChoiceField(forms.ModelChoiceField):
    """Chooses a person among a queryset (checked on submit) while offering only a short list.

    The offered choices are set with ``offer()``: rendering never lists a whole population.
    """

    widget = forms.RadioSelect

    def label_from_instance(self, obj: Person) -> str:
        parts = [obj.name, mask_phone(obj.phone)]
        if obj.community is not None:
            parts.append(obj.community.name)
        return " · ".join(p for p in parts if p)

    def offer(self, people: list[Person]) -> None:
        seen: set[int] = set()
        choices: list[tuple[Any, StrOrPromise]] = [("", _("No instructor"))]
        for person in people:
            if person.pk not in seen:
                seen.add(person.pk)
                choices.append((person.pk, self.label_from_instance(person)))
        self.widget.choices = choices


class _CharterLink:
    """What ClearableFileInput shows for the current charter: its name, linked to the download view."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class CharterInput(forms.ClearableFileInput):
    """The charter upload; "Currently:" links to registry:organization-charter, never to the media URL."""

    charter_url = ""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.charter_url:
            context["widget"]["value"] = _CharterLink(PurePosixPath(str(value)).name, self.charter_url)
        return context


class OrganizationEditForm(forms.ModelForm):
    """Profile, charter and party building. Status and filing change only through transitions."""

    instructor_search = forms.CharField(
        label=_("Find a party-building instructor"),
        required=False,
        help_text=_("Type part of a name, or a phone number (at least 4 digits), then choose below."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    class Meta:
        model = Organization
        fields = list(PROFILE_FIELDS)
        widgets = {**ORGANIZATION_WIDGETS, "charter_file": CharterInput()}
        field_classes = {"party_instructor": PersonChoiceField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["party_instructor"]
        assert isinstance(field, PersonChoiceField)
        people = Person.objects.for_user(user, Perm.PEOPLE_VIEW)
        if self.instance.party_instructor_id:  # keeping the current instructor is always allowed
            people = people | Person.objects.filter(pk=self.instance.party_instructor_id)
        field.queryset = people.select_related("community")
        field.required = False
        limit = filesizeformat(settings.SIFU_MAX_UPLOAD_BYTES)
        self.fields["charter_file"].help_text = _("PDF, Word or image, up to %(limit)s.") % {"limit": limit}
        if self.instance.pk:
            charter_url = reverse("registry:organization-charter", args=[self.instance.pk])
            self.fields["charter_file"].widget.charter_url = charter_url
        self.offer_instructors(self.data.get("instructor_search", "") if self.is_bound else "")

    def offer_instructors(self, text: str) -> list[Person]:
        """Offer the current instructor plus the people matching ``text``; returns the matches."""
        matches = selectors.instructor_candidates(self.user, text)
        current = [self.instance.party_instructor] if self.instance.party_instructor_id else []
        field = self.fields["party_instructor"]
        assert isinstance(field, PersonChoiceField)
        field.offer([*current, *matches])
        return matches

    def clean_charter_file(self) -> Any:
        upload = self.cleaned_data.get("charter_file")
        limit = settings.SIFU_MAX_UPLOAD_BYTES
        size = upload.size if isinstance(upload, UploadedFile) else None
        if size is not None and size > limit:
            raise ValidationError(
                _(
                    "The file is %(size)s; charters up to %(limit)s are accepted. "
                    "Scan at a lower resolution or save it as PDF."
                )
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
                code="file_too_large",
            )
        return upload

    def profile_changes(self) -> dict[str, Any]:
        """The profile fields the user changed, ready for ``organization_update``."""
        changes = {}
        for name in self.changed_data:
            if name not in PROFILE_FIELDS:
                continue
            value = self.cleaned_data[name]
            if name == "charter_file" and value is False:  # "clear" ticked
                value = ""
            changes[name] = value
        return changes
