"""Run a job's work inside its task: state changes, language, progress and failure in one place.

An app's task is a thin ``@task`` function that hands its work to ``run_job``::

    @task()
    def import_workbook(job_id: int) -> dict:
        return run_job(job_id, _import_workbook)

    def _import_workbook(job: Job, report: ProgressReporter) -> JobOutput:
        ...
        report("check", 120, 400)   # as often as convenient: writes are throttled
        return JobOutput(result={...}, content=b"...", filename="...xlsx")

``run_job`` marks the job running (only if it is still queued, so a task delivered twice works
once), runs the work in the language the owner used when starting it, then stores the result and
file (``job_finish``) or the failure (``job_fail``) and removes the progress file. An exception is
re-raised after the job is marked failed, so the task queue records it too, with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from sifu.jobs.models import Job
from sifu.jobs.progress import ProgressReporter, clear_progress
from sifu.jobs.services import job_begin, job_fail, job_finish

logger = logging.getLogger("sifu.jobs")


@dataclass
class JobOutput:
    result: dict[str, Any] = field(default_factory=dict)
    content: bytes | None = None  # a file for the owner to download
    filename: str = ""
    done: int = 0
    total: int = 0


Work = Callable[[Job, ProgressReporter], JobOutput]


def failure_message(exc: BaseException, job: Job) -> str:
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("You are no longer allowed to do this.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _(
        "Something went wrong while running this job, and nothing was changed. Try again; if it fails "
        "again, tell your administrator the job number (#%(pk)s)."
    ) % {"pk": job.pk}


def run_job(job_id: int, work: Work) -> dict[str, Any]:
    job = job_begin(job_id=job_id)
    if job is None:
        logger.warning("Job %s is not waiting to run; the task did nothing.", job_id)
        return {"job": job_id, "skipped": True}
    report = ProgressReporter(job.pk)
    try:
        with translation.override(job.language):
            try:
                output = work(job, report)
            except Exception as exc:
                logger.exception("Job %s (%s) failed", job.pk, job.kind)
                job_fail(job=job, error=failure_message(exc, job))
                raise
            job_finish(
                job=job,
                result=output.result,
                content=output.content,
                filename=output.filename,
                done=output.done,
                total=output.total,
            )
    finally:
        clear_progress(job.pk)
    return {"job": job.pk, "status": job.status}
