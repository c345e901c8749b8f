"""Forms for the lifecycle transitions: filing, registration, and the dated ones with a reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sifu.core.forms import DateInput


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
