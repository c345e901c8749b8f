"""Forms of the needs pages. Validation of the domain rules is in services; forms shape input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sifu.accounts.models import Area
from sifu.core.forms import DateInput, FilterForm
from sifu.core.permissions import Perm
from sifu.incubation import selectors
from sifu.incubation.models import Need
from sifu.registry.models import Organization
from sifu.registry.selectors import communities_in_scope


class NeedFilterForm(FilterForm):
    """The queue's filters, read from the query string; invalid values are dropped."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title, group or place")}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *Need.Status.choices])
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *Organization.Category.choices]
    )
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)

    FILTERS = ("q", "status", "category", "community")

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        communities = communities_in_scope(user, Perm.NEEDS_VIEW).values_list("pk", "name")
        super().__init__(data, communities=communities, **kwargs)


class NeedForm(forms.ModelForm):
    """A need recorded by staff. Community choices: where the user may change needs."""

    class Meta:
        model = Need
        fields = ["community", "title", "affected_group", "category", "source", "reported_on", "place", "description"]
        widgets = {"reported_on": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = communities_in_scope(user, Perm.NEEDS_CHANGE)
        community = self.fields["community"]
        assert isinstance(community, forms.ModelChoiceField)
        community.queryset = communities
        community.empty_label = _("Choose a community")
        # Staff record what they heard; residents' own submissions come through the public form.
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [c for c in Need.Source.choices if c[0] != Need.Source.RESIDENT]
        only = communities[:2]
        if len(only) == 1:
            community.initial = only[0].pk


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Merge into"), widget=forms.HiddenInput)


class OrganizationLinkForm(forms.Form):
    organization = forms.IntegerField(label=_("Organization"), widget=forms.HiddenInput)


class CommunityChoiceField(forms.ModelChoiceField):
    """A community as residents know it: "subdistrict · community"."""

    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.parent.name} · {obj.name}" if obj.parent else obj.name


class PublicNeedForm(forms.Form):
    """A resident's need. ``website`` is a honeypot: people do not see it, bots fill it in."""

    community = CommunityChoiceField(label=_("Your community"), queryset=Area.objects.none(), empty_label=_("Choose"))
    title = forms.CharField(label=_("What is needed, in a few words"), max_length=120)
    description = forms.CharField(
        label=_("Describe the need"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=2000
    )
    affected_group = forms.CharField(
        label=_("Who has this need"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. delivery riders, elderly people living alone")}),
    )
    category = forms.ChoiceField(label=_("Kind of need"), choices=Organization.Category.choices)
    place = forms.CharField(label=_("Where"), required=False, max_length=120)
    submitter_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=40)
    submitter_phone = forms.CharField(label=_("Your phone (optional)"), required=False, max_length=20)
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.fields["community"]
        assert isinstance(community, forms.ModelChoiceField)
        community.queryset = selectors.communities_for_submission()


class NeedEditForm(forms.ModelForm):
    """Corrections to a recorded need; its community, source and status are not edited here."""

    class Meta:
        model = Need
        fields = ["title", "affected_group", "category", "reported_on", "place", "description"]
        widgets = {"reported_on": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}
