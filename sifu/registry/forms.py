"""Forms of the registry's office pages.

Forms only parse and check input; writes go through ``registry.services``. When a service
refuses (``ValidationError``), the view hands the error to ``add_service_error`` so the message
appears next to the field it concerns, or above the form.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from sifu.accounts.models import Area
from sifu.core.forms import DateInput, FilterForm
from sifu.core.masking import mask_id_number, mask_phone
from sifu.core.permissions import Perm
from sifu.core.validators import normalize_id_number, normalize_phone
from sifu.registry import selectors
from sifu.registry.models import Membership, Organization, Person
from sifu.registry.services import PROFILE_FIELDS

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


# Organizations -------------------------------------------------------------------------------


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


# Lifecycle transitions ----------------------------------------------------------------------


def _today() -> Any:
    return timezone.localdate()


class FilingForm(forms.Form):
    filing_number = forms.CharField(label=_("Filing number"), max_length=40)
    filed_on = forms.DateField(label=_("Filing date"), widget=DateInput(), initial=_today)


class RegistrationForm(forms.Form):
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        help_text=_("18 characters, issued by civil affairs: starts with 51 (association) or 52 (service)."),
    )
    registered_on = forms.DateField(label=_("Registration date"), widget=DateInput(), initial=_today)


class ReasonForm(forms.Form):
    """Dormant and dissolved need a reason; reactivation may give one."""

    on = forms.DateField(label=_("Effective date"), widget=DateInput(), initial=_today)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(ReasonForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DateForm(forms.Form):
    on = forms.DateField(label=_("Effective date"), widget=DateInput(), initial=_today)


TRANSITION_FORMS: dict[str, type[forms.Form]] = {
    "start_incubation": DateForm,
    "file": FilingForm,
    "register": RegistrationForm,
    "make_dormant": ReasonForm,
    "reactivate": OptionalReasonForm,
    "dissolve": ReasonForm,
}


# Public directory ----------------------------------------------------------------------------


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


# People and memberships ---------------------------------------------------------------------


def _today_date() -> Any:
    return timezone.localdate()


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


NON_LEADER_ROLES = [(value, label) for value, label in Membership.Role.choices if value != Membership.Role.LEADER]


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


class MembershipAddForm(NewPersonFields):
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=GENDER_CHOICES)
    community = forms.ModelChoiceField(label=_("Lives in"), queryset=Area.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput(), initial=_today_date)
    is_initiator = forms.BooleanField(label=_("Initiator (发起人)"), required=False)

    field_order = ["name", "phone", "id_number", "political_status", "gender", "community", "role", "joined_on"]

    def __init__(self, *args: Any, organization: Organization, communities: Any, has_leader: bool, **kwargs: Any):
        kwargs.setdefault("initial", {"community": organization.community_id})
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        assert isinstance(community, forms.ModelChoiceField)
        community.queryset = communities
        community.empty_label = _("Not recorded")
        if has_leader:
            role = self.fields["role"]
            assert isinstance(role, forms.ChoiceField)
            role.choices = NON_LEADER_ROLES


class MembershipEndForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput(), initial=_today_date)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=NON_LEADER_ROLES)
    is_initiator = forms.BooleanField(label=_("Initiator"), required=False)


class LeaderForm(NewPersonFields):
    """The new leader: a current member, or a person given by name and phone or ID number."""

    # Chosen with radio buttons among the search matches (the page never lists every member).
    member = forms.ModelChoiceField(
        label=_("A current member"), queryset=Person.objects.none(), required=False, widget=forms.RadioSelect
    )
    on = forms.DateField(label=_("Handover date"), widget=DateInput(), initial=_today_date)
    previous_leader_role = forms.ChoiceField(
        label=_("The outgoing leader stays on as"), choices=NON_LEADER_ROLES, initial=Membership.Role.BACKBONE
    )

    field_order = ["member", "name", "phone", "id_number", "political_status", "on", "previous_leader_role"]

    def __init__(self, *args: Any, candidates: Any, has_leader: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        assert isinstance(member, forms.ModelChoiceField)
        member.queryset = candidates  # checked on submit (one query), never listed
        for name in ("name", "political_status"):
            self.fields[name].required = False
        if not has_leader:
            del self.fields["previous_leader_role"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        member, name = data.get("member"), (data.get("name") or "").strip()
        if member and name:
            raise ValidationError(_("Choose a current member or enter someone else's details, not both."))
        if not member and not name:
            raise ValidationError(_("Choose a current member, or enter the new leader's name and phone or ID number."))
        if not member and not data.get("political_status"):
            data["political_status"] = Person.PoliticalStatus.MASSES
        return data
