"""Forms of the leader candidate pages (三强). The rules are checked by the services; forms shape input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sifu.core.forms import DateInput, FilterForm
from sifu.core.permissions import Perm
from sifu.incubation.models import LeaderCandidate
from sifu.registry.selectors import communities_in_scope

A = LeaderCandidate.Assessment


class CandidateAddForm(forms.Form):
    person = forms.IntegerField(
        label=_("Person"),
        error_messages={"required": _("Choose the person to record as a candidate: search, then pick one.")},
    )
    note = forms.CharField(
        label=_("Why this person"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. 退休党员, organized the riders' rest stop")}),
    )


class CandidateAssessForm(forms.Form):
    """The three qualities (三强), each strong / fair / needs work, with notes and a date."""

    party_spirit = forms.ChoiceField(
        label=_("Party spirit (党性意识)"), choices=A.choices, widget=forms.RadioSelect(attrs={"class": "assess"})
    )
    organizing_ability = forms.ChoiceField(
        label=_("Organizing ability (组织能力)"), choices=A.choices, widget=forms.RadioSelect(attrs={"class": "assess"})
    )
    public_spirit = forms.ChoiceField(
        label=_("Public spirit (公益爱心)"), choices=A.choices, widget=forms.RadioSelect(attrs={"class": "assess"})
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    note = forms.CharField(
        label=_("Assessment notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was seen: talks with residents, activities organized, service record."),
    )

    @classmethod
    def for_candidate(cls, candidate: LeaderCandidate) -> CandidateAssessForm:
        """An unbound form showing the candidate's current assessment (today's date if none yet)."""
        return cls(
            initial={
                "party_spirit": candidate.party_spirit or None,
                "organizing_ability": candidate.organizing_ability or None,
                "public_spirit": candidate.public_spirit or None,
                "assessed_on": candidate.assessed_on or timezone.localdate(),
                "note": candidate.note,
            }
        )


class CandidateChooseForm(forms.Form):
    on = forms.DateField(
        label=_("Leader from"),
        widget=DateInput(),
        error_messages={"required": _("Give the date the person becomes the leader.")},
    )


class CandidateWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for withdrawing: it is kept with the candidate.")},
    )


class CandidateFilterForm(FilterForm):
    """The overview's filters, read from the query string; invalid values are dropped."""

    EMPTY = ("", None, False)  # an unticked box is no filter

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Person or organization")}),
    )
    three_strong = forms.BooleanField(label=_("三强 only"), required=False)
    party = forms.BooleanField(label=_("Party members only"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *LeaderCandidate.Status.choices]
    )
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        communities = communities_in_scope(user, Perm.CASES_VIEW).values_list("pk", "name")
        super().__init__(data, communities=communities, **kwargs)
