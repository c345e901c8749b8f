"""Office pages for the registry import: the page (explanation, template, upload) and the template.

Only holders of ``Perm.ORG_IMPORT`` (subdistrict admins) may use them; the import itself keeps
to the communities of their scope. A POST runs ``RegistryImport`` on the upload: its problems are
listed (sheet, row, column, reason) and nothing is written, or its summary is shown. Re-importing
is idempotent, so a resubmitted form does no harm.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sifu.core.permissions import Perm
from sifu.registry import selectors
from sifu.registry.exports import ImportTemplateExporter
from sifu.registry.imports import MEMBER_COLUMNS, MEMBER_SHEET, ORG_COLUMNS, ORG_SHEET, RegistryImport

TEMPLATE_FILENAME = "社区社会组织导入模板.xlsx"
ERRORS_SHOWN = 500


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only: report what would change and write nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.SIFU_MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Split it into smaller workbooks.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise ValidationError(
                _("Only .xlsx workbooks can be imported. In Excel or WPS, use “Save as” and choose .xlsx.")
            )
        upload.seek(0)
        start = upload.read(4)
        upload.seek(0)
        if start != b"PK\x03\x04":
            raise ValidationError(
                _("This file is not an Excel workbook, although its name ends in .xlsx. Save it from Excel as .xlsx.")
            )
        return upload


def _require_import(request: HttpRequest) -> None:
    if not request.user.has_perm(Perm.ORG_IMPORT):
        raise PermissionDenied


def _reference() -> list[dict[str, Any]]:
    return [{"name": ORG_SHEET, "columns": ORG_COLUMNS}, {"name": MEMBER_SHEET, "columns": MEMBER_COLUMNS}]


@login_required
@require_http_methods(["GET", "POST"])
def import_registry(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    result = None
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            result = RegistryImport(by=request.user).run(
                form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
            if result.errors and all(not e.sheet for e in result.errors):  # the file itself is unreadable
                for error in result.errors:
                    form.add_error("file", error.reason)
                result = None
            elif result.ok and result.dry_run:
                form = ImportUploadForm(initial={"dry_run": False})  # checked: next upload imports
    else:
        form = ImportUploadForm()
    context = {
        "form": form,
        "result": result,
        "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
        "errors_hidden": max(len(result.errors) - ERRORS_SHOWN, 0) if result else 0,
        "sheets": _reference(),
        "max_upload": settings.SIFU_MAX_UPLOAD_BYTES,
    }
    return render(request, "registry/import.html", context)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    communities = selectors.communities_in_scope(request.user, Perm.ORG_IMPORT).values_list("name", flat=True)
    return ImportTemplateExporter(communities=communities).response(TEMPLATE_FILENAME)


urls = [
    path("office/import/", import_registry, name="import"),
    path("office/import/template.xlsx", import_template, name="import-template"),
]
