"""Forms of the service plan pages. The rules are checked by the services; forms shape input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sifu.accounts.models import Area
from sifu.core.forms import DateInput
from sifu.core.permissions import Perm, scope_for
from sifu.incubation.models import PlanGoal


class PlanForm(forms.Form):
    """A plan's title, dates and summary; ``area`` only when creating (a plan keeps its area)."""

    area = forms.ModelChoiceField(label=_("Subdistrict"), queryset=Area.objects.none(), empty_label=_("Choose"))
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 南山街道社区社会组织三年服务规划")}),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the plan sets out to do, in a few sentences."),
    )

    def __init__(self, *args: Any, user: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["area"]
            return
        scope = scope_for(user, Perm.PLANS_CHANGE)
        areas = Area.objects.filter(kind=Area.Kind.SUBDISTRICT).filter(scope.q("path")).order_by("path")
        area = self.fields["area"]
        assert isinstance(area, forms.ModelChoiceField)
        area.queryset = areas
        only = list(areas[:2])
        if len(only) == 1:
            area.initial = only[0].pk


class GoalForm(forms.Form):
    metric = forms.ChoiceField(
        label=_("Measure"),
        choices=PlanGoal.Metric.choices,
        help_text=_("Counted from the registry for the plan's subdistrict, never typed in."),
    )
    target = forms.IntegerField(
        label=_("Target"),
        min_value=1,
        max_value=1_000_000,
        error_messages={"min_value": _("The target has to be a whole number above zero.")},
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    @classmethod
    def for_goal(cls, goal: PlanGoal, data: Any = None) -> GoalForm:
        initial = {"metric": goal.metric, "target": goal.target, "due_on": goal.due_on, "note": goal.note}
        return cls(data, initial=initial)


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 每个社区建成能量站")}),
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(
        label=_("Done on"),
        widget=DateInput(),
        error_messages={"required": _("Give the date it was done.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"done_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
