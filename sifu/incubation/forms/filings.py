"""Forms of the filing workflow's pages. They shape input; the rules (kinds, documents, changes,
dates) are checked by ``services.filings``, whose refusals are shown on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sifu.core.forms import DateInput, FilterForm
from sifu.core.permissions import Perm
from sifu.incubation.models import Filing, FilingDocument
from sifu.incubation.services.filings import CHANGE_FIELDS, MAX_DOCUMENTS
from sifu.registry.models import Organization
from sifu.registry.selectors import communities_in_scope


class FilingFilterForm(FilterForm):
    """The queue's filters, read from the query string; invalid values are dropped."""

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *Filing.Kind.choices])
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        communities = communities_in_scope(user, Perm.FILING_VIEW).values_list("pk", "name")
        super().__init__(data, communities=communities, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files of one kind in one input (e.g. a charter scanned page by page)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(f".{e}" for e in _extensions())}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _extensions() -> tuple[str, ...]:
    return FilingDocument.EXTENSIONS


class FilingRequestForm(forms.Form):
    """A request of one kind: what is asked and why, the kind's own fields (the requested changes;
    the date activities stop), and the documents by kind, required ones marked.

    For a resubmission (``filing`` given) the fields start from the request as it was and no
    document is required: the earlier ones stay, new ones are added.
    """

    statement = forms.CharField(
        label=_("What is asked, and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        organization: Organization,
        kind: str,
        filing: Filing | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.organization, self.kind, self.filing = organization, kind, filing
        K = Filing.Kind
        if filing is not None:
            self.fields["statement"].initial = filing.statement
        if kind == K.DEREGISTRATION:
            self.fields["statement"].label = _("Why the organization is deregistered")
            self.fields["statement"].required = True
            self.fields["effective_on"] = forms.DateField(
                label=_("Activities stop on"),
                widget=DateInput(),
                initial=filing.effective_on if filing else None,
                help_text=_("The date the organization stopped (or stops today); not in the future."),
            )
        if kind == K.CHANGE:
            requested = {name: change["after"] for name, change in (filing.changes if filing else {}).items()}
            for name in CHANGE_FIELDS:
                model_field = Organization._meta.get_field(name)
                assert isinstance(model_field, models.Field)
                field = model_field.formfield()
                assert field is not None
                field.initial = requested.get(name, getattr(organization, name))
                if isinstance(field.widget, forms.Textarea):
                    field.widget.attrs["rows"] = 3
                self.fields[name] = field
        required = () if filing is not None else FilingDocument.REQUIRED[kind]
        limit = filesizeformat(settings.SIFU_MAX_UPLOAD_BYTES)
        self.document_fields: list[tuple[str, bool]] = []
        for value, label in FilingDocument.Kind.choices:
            is_required = value in required
            name = f"doc_{value}"
            self.fields[name] = MultipleFileField(
                label=label,
                help_text=_("PDF, Word, Excel or image, up to %(limit)s each.") % {"limit": limit},
            )
            self.document_fields.append((name, is_required))

    @property
    def change_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CHANGE_FIELDS if name in self.fields]

    @property
    def documents_fields(self) -> list[tuple[forms.BoundField, bool]]:
        return [(self[name], required) for name, required in self.document_fields]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        count = sum(len(cleaned.get(name) or []) for name, _required in self.document_fields)
        if count > MAX_DOCUMENTS:
            raise forms.ValidationError(
                _("Attach at most %(max)d files at once; you attached %(count)d.")
                % {"max": MAX_DOCUMENTS, "count": count}
            )
        return cleaned

    def documents(self) -> list[tuple[str, UploadedFile]]:
        return [
            (name.removeprefix("doc_"), upload)
            for name, _required in self.document_fields
            for upload in self.cleaned_data.get(name) or []
        ]

    def changes(self) -> dict[str, Any] | None:
        """The requested changes: the fields whose value differs from the organization's."""
        if self.kind != Filing.Kind.CHANGE:
            return None
        result = {}
        for name in CHANGE_FIELDS:
            value = self.cleaned_data.get(name)
            value = "" if value is None else value
            if value != (getattr(self.organization, name) or ""):
                result[name] = value
        return result

    def service_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"statement": self.cleaned_data["statement"], "documents": self.documents()}
        if self.kind == Filing.Kind.CHANGE:
            kwargs["changes"] = self.changes()
        if self.kind == Filing.Kind.DEREGISTRATION:
            kwargs["effective_on"] = self.cleaned_data.get("effective_on")
        return kwargs


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, in writing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant reads it: say what is wrong and what to do."),
    )


class ReturnForm(ReasonForm):
    reason = forms.CharField(
        label=_("What the applicant has to fix"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant reads it, fixes the request and resubmits it."),
    )


class RefuseForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why the request is refused"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant reads it. A refused request is closed; a new one can be submitted."),
    )


class ApproveForm(NoteForm):
    filing_number = forms.CharField(
        label=_("Filing number"),
        max_length=40,
        required=False,
        help_text=_("The next free number is suggested; leave it or give another."),
    )
