"""Forms of the incubation case pages. Domain rules are checked by the services; forms shape input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sifu.accounts.models import Area
from sifu.core.forms import DateInput, FilterForm
from sifu.core.permissions import Perm
from sifu.incubation import selectors
from sifu.incubation.models import CoachingNote, IncubationCase, Need
from sifu.registry.models import Organization
from sifu.registry.selectors import communities_in_scope


class CaseFilterForm(FilterForm):
    """The case list's filters, read from the query string; invalid values are dropped."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Organization or incubator")}),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("Any")), *IncubationCase.Stage.choices])
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)
    incubator = forms.ChoiceField(
        label=_("Incubator"), required=False, choices=[("", _("Any")), *IncubationCase.Incubator.choices]
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        communities = communities_in_scope(user, Perm.CASES_VIEW).values_list("pk", "name")
        super().__init__(data, communities=communities, **kwargs)


class NeedChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Need) -> str:
        group = f" · {obj.affected_group}" if obj.affected_group else ""
        return f"{obj.title}{group} ({obj.community.name}, {obj.reported_on:%Y-%m-%d})"


class CaseOpenForm(forms.Form):
    """A new case and its prospective organization. Community choices: where the user may open cases;
    the needs offered are the open needs of the chosen community (all of the user's, before one is chosen)."""

    community: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=_("Community"), queryset=None, empty_label=_("Choose a community")
    )
    needs = NeedChoiceField(
        label=_("Needs it answers"),
        queryset=Need.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Open needs of the community. Record a need first if it is not listed."),
        error_messages={"required": _("Choose at least one need the organization will answer.")},
    )
    name = forms.CharField(
        label=_("Name of the organization"),
        max_length=80,
        help_text=_("A proper name (规范名称), e.g. 荔芳外卖骑手互助会. It can be changed until filing."),
    )
    form = forms.ChoiceField(label=_("Form"), choices=Organization.Form.choices)
    nature = forms.ChoiceField(
        label=_("Nature"),
        choices=Organization.Nature.choices,
        help_text=_(
            "Association-type: at least 3 initiators and 10 members. Service-type: at least 2 initiators and 2 staff."
        ),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Organization.Category.choices)
    incubator_kind = forms.ChoiceField(label=_("Incubator"), choices=IncubationCase.Incubator.choices)
    incubator_name = forms.CharField(
        label=_("Incubator's name"),
        required=False,
        max_length=80,
        help_text=IncubationCase._meta.get_field("incubator_name").help_text,
    )
    mentor = forms.CharField(
        label=_("Mentor"),
        required=False,
        max_length=40,
        help_text=IncubationCase._meta.get_field("mentor").help_text,
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput())

    def __init__(self, *args: Any, user: Any, community_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = communities_in_scope(user, Perm.CASES_CHANGE)
        community = self.fields["community"]
        assert isinstance(community, forms.ModelChoiceField)
        community.queryset = communities
        only = list(communities[:2])
        if len(only) == 1:
            community.initial = only[0].pk
            community_id = community_id or only[0].pk
        if community_id is None and self.is_bound:
            try:
                community_id = int(self.data.get("community") or 0) or None
            except ValueError:
                community_id = None
        self.community_id = community_id
        # What the page offers: the open needs of the chosen community. What a submission may name: any
        # need where the user may open cases, so that a wrong choice is refused by the service with its
        # reason (another community's need, a declined one…) rather than as "not a valid choice".
        self.offered_needs = selectors.needs_for_case(user, community_id)
        communities = communities_in_scope(user, Perm.CASES_CHANGE)
        needs = self.fields["needs"]
        assert isinstance(needs, NeedChoiceField)
        needs.queryset = (
            Need.objects.filter(community__in=communities).select_related("community")
            if self.is_bound
            else self.offered_needs
        )

    def offer_needs(self) -> None:
        """Before drawing the form again: list only the needs it offers (the choices stay checked)."""
        needs = self.fields["needs"]
        assert isinstance(needs, NeedChoiceField)
        needs.queryset = self.offered_needs


class CaseEditForm(forms.ModelForm):
    class Meta:
        model = IncubationCase
        fields = ["incubator_kind", "incubator_name", "mentor"]


class CoachingNoteForm(forms.ModelForm):
    class Meta:
        model = CoachingNote
        fields = ["on", "kind", "text", "next_step"]
        widgets = {"on": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}


class CaseStartForm(forms.Form):
    on = forms.DateField(label=_("Incubation starts on"), required=False, widget=DateInput())


class CaseCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for closing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. the initiators gave up, or joined another organization. The organization is dissolved."),
    )
    on = forms.DateField(label=_("Closed on"), required=False, widget=DateInput())


class NeedPickForm(forms.Form):
    need = forms.IntegerField(label=_("Need"), widget=forms.HiddenInput)
