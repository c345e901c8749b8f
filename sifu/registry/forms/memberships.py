"""Forms for memberships: add a member, end a membership, change a role, change the leader."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sifu.accounts.models import Area
from sifu.core.forms import DateInput
from sifu.registry.forms.people import GENDER_CHOICES, NewPersonFields
from sifu.registry.models import Membership, Organization, Person


def _today_date() -> Any:
    return timezone.localdate()


NON_LEADER_ROLES = [(value, label) for value, label in Membership.Role.choices if value != Membership.Role.LEADER]


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
