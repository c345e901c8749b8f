"""Registry work run as background jobs (DESIGN.md §4.13): the workbook import and large exports.

``import_workbook(job_id)``
    Runs ``RegistryImport`` as the job's owner on the stored upload: a check (``params["dry_run"]``,
    every write tried and rolled back) or the import itself. The result keeps what the page shows:
    the row errors (sheet, row, column, reason; the first ``ERRORS_KEPT``), the warnings, and the
    summary with the organizations (the first ``ORGANIZATIONS_KEPT``). Shown by
    ``registry/jobs/import.html``.

``export_organizations(job_id)``
    The organization list export for more than ``SIFU_EXPORT_ROWS_AT_ONCE`` rows: the list as the
    owner filtered it (``params["query"]``), masked unless ``params["unmasked"]``, checked again
    when the job runs. The file is kept with the job for its owner only. Shown by
    ``registry/jobs/export.html``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import QueryDict
from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sifu.core.spreadsheets import ImportResult
from sifu.jobs.models import Job
from sifu.jobs.progress import ProgressReporter
from sifu.jobs.runner import JobOutput, run_job
from sifu.privacy import services as privacy_services
from sifu.registry.exports import OrganizationListExporter, organizations_to_export
from sifu.registry.imports import RegistryImport

IMPORT_KIND = "registry.import"
EXPORT_KIND = "registry.export"
ERRORS_KEPT = 500
ORGANIZATIONS_KEPT = 1000

IMPORT_STAGES = {
    "read": gettext_lazy("Step 1 of 3: reading and checking each row"),
    "check": gettext_lazy("Step 2 of 3: checking the rows against the registry"),
    "write": gettext_lazy("Step 3 of 3: writing"),
}
CHECK_STAGES = IMPORT_STAGES | {"write": gettext_lazy("Step 3 of 3: trying the writes (a check keeps none of them)")}


@task()
def import_workbook(job_id: int) -> dict[str, Any]:
    return run_job(job_id, _import_workbook)


def _import_workbook(job: Job, report: ProgressReporter) -> JobOutput:
    dry_run = bool(job.params_get("dry_run"))
    stages = CHECK_STAGES if dry_run else IMPORT_STAGES

    def progress(stage: str, done: int, total: int | None) -> None:
        report(str(stages.get(stage, stage)), done, total)

    with job.source.open("rb") as handle:
        result = RegistryImport(by=job.owner).run(handle, dry_run=dry_run, progress=progress)
    return JobOutput(result=import_result_data(result))


def import_result_data(result: ImportResult) -> dict[str, Any]:
    """An ``ImportResult`` as JSON, with the words the page shows already in the owner's language."""
    data: dict[str, Any] = {
        "ok": result.ok,
        "dry_run": result.dry_run,
        "errors": [asdict(error) for error in result.errors[:ERRORS_KEPT]],
        "errors_total": len(result.errors),
        "errors_hidden": max(len(result.errors) - ERRORS_KEPT, 0),
        "warnings": list(result.warnings),
        "summary": None,
    }
    summary = result.summary
    if summary is not None:
        counts = {name: getattr(summary, name) for name in summary.__dataclass_fields__ if name != "organizations"}
        data["summary"] = counts | {
            "changed_anything": summary.changed_anything,
            "lines": summary.lines(),
            "organizations_total": len(summary.organizations),
            "organizations_hidden": max(len(summary.organizations) - ORGANIZATIONS_KEPT, 0),
            "organizations": [
                {
                    "name": o.name,
                    "community": o.community,
                    "outcome": o.outcome,
                    "outcome_label": o.planned_label if result.dry_run else o.outcome_label,
                    "status": o.status,
                    "status_label": o.status_label,
                    "status_word": o.status_word,
                    "legal_word": o.legal_word,
                    "pk": o.pk,
                }
                for o in summary.organizations[:ORGANIZATIONS_KEPT]
            ],
        }
    return data


def import_label(filename: str, *, dry_run: bool) -> str:
    if dry_run:
        return _("Import check: %(file)s") % {"file": filename}
    return _("Import: %(file)s") % {"file": filename}


@task()
def export_organizations(job_id: int) -> dict[str, Any]:
    return run_job(job_id, _export_organizations)


def _export_organizations(job: Job, report: ProgressReporter) -> JobOutput:
    owner, unmasked = job.owner, bool(job.params_get("unmasked"))
    query = QueryDict(job.params_get("query", ""))
    queryset = organizations_to_export(owner, query, unmasked=unmasked)
    total = queryset.count()
    stage = _("Writing the rows")
    report(stage, 0, total)
    exporter = OrganizationListExporter(queryset, unmasked=unmasked)
    exporter.progress = lambda done: report(stage, done, total)
    content = exporter.to_bytes()
    if unmasked:
        context = f"organization list export (job #{job.pk}) ?{query.urlencode()}"
        privacy_services.unmasked_export_record(by=owner, context=context)
    lines = [ngettext("%(n)d organization", "%(n)d organizations", total) % {"n": total}]
    if not unmasked:
        lines.append(_("Phone numbers are masked."))
    return JobOutput(
        result={"rows": total, "lines": lines, "unmasked": unmasked},
        content=content,
        filename=job.params_get("filename") or "organizations.xlsx",
        done=total,
        total=total,
    )


def export_label(rows: int) -> str:
    return ngettext(
        "Export of the organization list (%(n)d row)", "Export of the organization list (%(n)d rows)", rows
    ) % {"n": rows}
