"""Office pages for the registry import: the page (explanation, template, upload) and the template.

Only holders of ``Perm.ORG_IMPORT`` (subdistrict admins) may use them; the import itself keeps
to the communities of their scope. A POST stores the upload and starts a background job
(``registry.tasks.import_workbook``): a check ("check only" ticked) or the import. The user is
sent to the job's page, which shows the progress and then the result: the problems (sheet, row,
column, reason; nothing written), or the summary, with "Import now" after a check that passed
(``import_run``: the same stored file, imported). Re-importing is idempotent, so a resubmitted
form does no harm.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest, office_view
from sifu.jobs.permissions import get_job_for_user
from sifu.jobs.services import job_start, job_start_from
from sifu.jobs.views import render_job
from sifu.registry import selectors, tasks
from sifu.registry.exports import ImportTemplateExporter
from sifu.registry.imports import MEMBER_COLUMNS, MEMBER_SHEET, ORG_COLUMNS, ORG_SHEET

TEMPLATE_FILENAME = "社区社会组织导入模板.xlsx"


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
        # A damaged file is refused here, before a job is started (reading the zip's directory is cheap).
        try:
            with zipfile.ZipFile(upload) as archive:
                readable = "xl/workbook.xml" in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            readable = False
        upload.seek(0)
        if not readable:
            raise ValidationError(
                _(
                    "The workbook could not be read; it may be damaged. Open it in Excel, save it as .xlsx "
                    "and try again."
                )
            )
        return upload


def _require_import(request: HttpRequest) -> None:
    if not request.user.has_perm(Perm.ORG_IMPORT):
        raise PermissionDenied


def _reference() -> list[dict[str, Any]]:
    return [{"name": ORG_SHEET, "columns": ORG_COLUMNS}, {"name": MEMBER_SHEET, "columns": MEMBER_COLUMNS}]


@office_view(methods=("GET", "POST"))
def import_registry(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_import(request)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
            name = PurePath(upload.name or "workbook.xlsx").name
            job = job_start(
                kind=tasks.IMPORT_KIND,
                label=tasks.import_label(name, dry_run=dry_run),
                task=tasks.import_workbook,
                params={"dry_run": dry_run, "filename": name},
                source=upload,
                source_name=name,
                by=request.user,
            )
            return redirect("jobs:detail", job.pk)
    else:
        form = ImportUploadForm()
    context = {"form": form, "sheets": _reference(), "max_upload": settings.SIFU_MAX_UPLOAD_BYTES}
    return render(request, "registry/import.html", context)


@office_view(Perm.ORG_IMPORT, methods=("POST",))
def import_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The "Import now" button after a check that passed: the same stored file, imported by a new job."""
    check = get_job_for_user(request.user, pk)
    passed = check.kind == tasks.IMPORT_KIND and check.succeeded and check.params_get("dry_run")
    if not (passed and check.result.get("ok")):
        return render_job(request, check, refusal=_("Only a check that passed can be imported."), status=400)
    name = check.params_get("filename", "")
    job = job_start_from(
        job=check,
        kind=tasks.IMPORT_KIND,
        label=tasks.import_label(name, dry_run=False),
        task=tasks.import_workbook,
        params={"dry_run": False, "filename": name, "checked_by_job": check.pk},
        by=request.user,
    )
    return redirect("jobs:detail", job.pk)


@office_view()
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_import(request)
    communities = selectors.communities_in_scope(request.user, Perm.ORG_IMPORT).values_list("name", flat=True)
    return ImportTemplateExporter(communities=communities).response(TEMPLATE_FILENAME)


urls = [
    path("office/import/", import_registry, name="import"),
    path("office/import/template.xlsx", import_template, name="import-template"),
    path("office/import/<int:pk>/run/", import_run, name="import-run"),
]
