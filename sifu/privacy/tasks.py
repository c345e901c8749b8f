"""The log export as a background job (DESIGN.md §4.13), when it holds more than
``SIFU_EXPORT_ROWS_AT_ONCE`` rows: the log as its owner filtered it (``params["query"]``), within
the owner's scope when the job runs (a role lost meanwhile leaves nothing to export). The file is
kept with the job for its owner only; the jobs app's page shows the summary and the download."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sifu.core.permissions import Perm
from sifu.jobs.models import Job
from sifu.jobs.progress import ProgressReporter
from sifu.jobs.runner import JobOutput, run_job
from sifu.privacy import selectors
from sifu.privacy.exports import SensitiveViewExporter
from sifu.privacy.forms import SensitiveViewFilterForm

EXPORT_KIND = "privacy.export"


@task()
def export_sensitive_views(job_id: int) -> dict[str, Any]:
    return run_job(job_id, _export_sensitive_views)


def _export_sensitive_views(job: Job, report: ProgressReporter) -> JobOutput:
    owner = job.owner
    if not owner.has_perm(Perm.PRIVACY_LOG_VIEW):
        raise PermissionDenied(_("You may no longer read the log of unmasked views."))
    filters = SensitiveViewFilterForm(QueryDict(job.params_get("query", ""))).filters
    views = selectors.sensitive_views_for_user(owner, **filters)
    total = views.count()
    stage = _("Writing the rows")
    report(stage, 0, total)
    exporter = SensitiveViewExporter(views)
    exporter.progress = lambda done: report(stage, done, total)
    content = exporter.to_bytes()
    return JobOutput(
        result={"rows": total, "lines": [export_label(total)]},
        content=content,
        filename=job.params_get("filename") or "unmasked-views.xlsx",
        done=total,
        total=total,
    )


def export_label(rows: int) -> str:
    return ngettext(
        "Export of the log of unmasked views (%(n)d row)", "Export of the log of unmasked views (%(n)d rows)", rows
    ) % {"n": rows}
