"""A ``Job`` is a piece of long work a user started (an import, a large export), run by a worker.

The task itself is queued through Django's tasks API (``django.tasks``; the ``django_tasks_db``
backend keeps the queue in the database). The ``Job`` row is what the user sees: its owner, what it
is, its status, the final result (JSON) and the file it made. Live progress is not kept here but in
a small file per job (``sifu.jobs.progress``), because the work may run inside one long transaction
that the page could not see into (docs/adr/0003-background-jobs.md).

Jobs are operational records, not domain records: they carry no history table. What a job changes
in the registry is recorded there, with history, by the services it calls.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _job_file_upload_to(instance: Job, filename: str) -> str:
    """jobs/<pk>-<random>/<filename>: the random part keeps a file's address unguessable."""
    return f"jobs/{instance.pk}-{secrets.token_hex(8)}/{filename}"


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job status", "Waiting")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        SUCCEEDED = "succeeded", pgettext_lazy("job status", "Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("owner")
    )
    # "<app>.<name>": the app's template "<app>/jobs/<name>.html" shows the result.
    kind = models.CharField(_("kind"), max_length=64)
    label = models.CharField(_("label"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    task_path = models.CharField(_("task"), max_length=200)  # the django.tasks Task that runs it
    task_id = models.CharField(_("task result id"), max_length=64, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    source = models.FileField(_("input file"), upload_to=_job_file_upload_to, blank=True, max_length=300)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    result_file = models.FileField(_("result file"), upload_to=_job_file_upload_to, blank=True, max_length=300)
    result_filename = models.CharField(_("result file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="jobs_owner_recent")]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.label}"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.SUCCEEDED

    @property
    def failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def app_label(self) -> str:
        return self.kind.split(".", 1)[0]

    def result_templates(self) -> list[str]:
        """The kind's own result template first, then the generic one."""
        app, _dot, name = self.kind.partition(".")
        return [f"{app}/jobs/{name}.html", "jobs/result.html"] if name else ["jobs/result.html"]

    def params_get(self, key: str, default: Any = None) -> Any:
        return (self.params or {}).get(key, default)
