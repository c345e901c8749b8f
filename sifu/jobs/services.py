"""Writes of the jobs app: start a job (and queue its task), run it through its states, retry it.

A job belongs to the user who started it (``by``); it is their work, seen only by them. The task's
own checks run again when it runs (the import and the export call the same services and check the
same permissions as the pages), so a job started before a role was revoked does nothing it should
not.

States: queued → running → succeeded | failed. ``job_begin`` is the only way from queued to running
and refuses any other state, so a task that is delivered twice does the work once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.tasks import Task
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.jobs.models import Job
from sifu.jobs.progress import clear_progress, read_progress


def _enqueue(job: Job, task: Task) -> Job:
    """Queue ``task(job.pk)``. The queue row is written in the caller's transaction, so a worker
    never sees a task whose job is not committed. (The immediate backend runs it right here.)"""
    result = task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


@transaction.atomic
def job_start(
    *,
    kind: str,
    label: str,
    task: Task,
    params: dict[str, Any] | None = None,
    source: File | None = None,
    source_name: str = "",
    by: User,
) -> Job:
    """Record a job for ``by`` and queue ``task`` (a ``django.tasks`` Task taking the job's pk).

    ``source`` is an input file (e.g. the uploaded workbook), stored with the job so the work and
    any retry read the same bytes. ``kind`` is "<app>.<name>"; ``label`` is what lists show.
    """
    if by is None or not by.is_authenticated:
        raise PermissionDenied(_("A job belongs to the user who starts it."))
    if "." not in kind:
        raise ValidationError(_("A job kind is written <app>.<name>."))
    job = Job(
        owner=by,
        kind=kind,
        label=label[:200],
        task_path=task.module_path,
        params=params or {},
        language=translation.get_language() or "zh-hans",
    )
    job.save()
    if source is not None:
        job.source.save(source_name or source.name or "input", source, save=False)
        job.save(update_fields=["source"])
    return _enqueue(job, task)


@transaction.atomic
def job_start_from(*, job: Job, kind: str, label: str, task: Task, params: dict[str, Any], by: User) -> Job:
    """A new job of ``by`` reading the same input file as ``job`` (e.g. the import after its check)."""
    if job.owner_id != by.pk:
        raise PermissionDenied
    new = Job(
        owner=by,
        kind=kind,
        label=label[:200],
        task_path=task.module_path,
        params=params,
        language=translation.get_language() or job.language,
        source=job.source.name,
    )
    new.save()
    return _enqueue(new, task)


@transaction.atomic
def job_retry(*, job: Job, by: User) -> Job:
    """Run a failed job again, as a new job with the same kind, parameters and input file."""
    if job.owner_id != by.pk:
        raise PermissionDenied
    if job.status != Job.Status.FAILED:
        raise ValidationError(_("Only a failed job can be run again."))
    task = import_string(job.task_path)
    if not isinstance(task, Task):
        raise ValidationError(_("This kind of job can no longer be run."))
    return job_start_from(job=job, kind=job.kind, label=job.label, task=task, params=dict(job.params), by=by)


@transaction.atomic
def job_begin(*, job_id: int) -> Job | None:
    """queued → running (the worker, when it picks the task). None if the job is not queued."""
    job = Job.objects.select_for_update().select_related("owner").filter(pk=job_id).first()
    if job is None or job.status != Job.Status.QUEUED:
        return None
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    return job


@transaction.atomic
def job_finish(
    *,
    job: Job,
    result: dict[str, Any],
    content: bytes | None = None,
    filename: str = "",
    done: int = 0,
    total: int = 0,
) -> Job:
    """running → succeeded, with the result (JSON) and the file the job made, if any."""
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.status != Job.Status.RUNNING:
        raise ValidationError(_("This job is not running."))
    job.status = Job.Status.SUCCEEDED
    job.result = result
    job.progress_done, job.progress_total, job.stage = done or total, total, ""
    job.finished_at = timezone.now()
    fields = ["status", "result", "progress_done", "progress_total", "stage", "finished_at"]
    if content is not None:
        job.result_filename = filename
        job.result_file.save(filename, ContentFile(content), save=False)
        fields += ["result_file", "result_filename"]
    job.save(update_fields=fields)
    return job


def jobs_fail_stalled(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> list[Job]:
    """Running jobs whose worker stopped (killed, machine down) stay "running": django-tasks-db
    never hands a claimed task to another worker. Mark as failed each job running for longer than
    ``older_than`` whose progress has not moved for as long, so its owner sees it and can run it
    again. (The import's transaction died with the worker: nothing was half-written.)"""
    now = now or timezone.now()
    failed = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=now - older_than):
        live = read_progress(job.pk)
        if live and now.timestamp() - float(live.get("at", 0)) < older_than.total_seconds():
            continue
        with translation.override(job.language):
            message = _("The worker running this job stopped before it ended, and nothing was changed. Run it again.")
        failed.append(job_fail(job=job, error=message))
        clear_progress(job.pk)
    return failed


@transaction.atomic
def job_fail(*, job: Job, error: str) -> Job:
    """queued or running → failed, with a message the owner can act on (no traceback: that stays
    in the task queue's record, for the administrator)."""
    job.status = Job.Status.FAILED
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job
