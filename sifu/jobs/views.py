"""Office pages for background jobs: the user's jobs, one job (progress, then result), its file.

The job page polls itself with htmx every second while the job waits or runs (the ``status``
partial), reading live progress from the job's progress file; once the job has ended the partial
carries no trigger, so polling stops, and shows the result through the kind's own template
(``<app>/jobs/<name>.html``, e.g. ``registry/jobs/import.html``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from sifu.core.views import AuthenticatedHttpRequest, HtmxHttpRequest, office_view
from sifu.jobs import selectors, services
from sifu.jobs.models import Job
from sifu.jobs.permissions import get_job_for_user
from sifu.jobs.progress import read_progress

# A job still waiting after this long probably has no worker to run it: the page says so.
NO_WORKER_AFTER = dt.timedelta(seconds=30)


@office_view()
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.jobs_for_user(request.user).defer("params", "result"), settings.PAGE_SIZE)
    return render(request, "jobs/job_list.html", {"page": page.get_page(request.GET.get("page"))})


def status_context(job: Job) -> dict[str, Any]:
    """What the status partial shows: live progress while active (from the progress file)."""
    done, total, stage = job.progress_done, job.progress_total, job.stage
    if job.active:
        live = read_progress(job.pk)
        if live:
            done, total, stage = int(live.get("done") or 0), int(live.get("total") or 0), str(live.get("stage", ""))
    total = max(total, done) if total else 0
    return {
        "job": job,
        "done": done,
        "total": total,
        "stage": stage,
        "percent": round(100 * done / total) if total else None,
        "waiting_long": job.status == Job.Status.QUEUED and timezone.now() - job.created_at > NO_WORKER_AFTER,
    }


def render_job(request: HtmxHttpRequest, job: Job, *, refusal: str = "", status: int = 200) -> HttpResponse:
    """The job's page (or, for htmx's poll, its status partial); ``refusal`` explains a refused POST."""
    template = "jobs/job_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#status"
    response = render(request, template, status_context(job) | {"refusal": refusal}, status=status)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "private, no-store"
    return response


@office_view()
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return render_job(request, get_job_for_user(request.user, pk))


@office_view()
def job_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    job = get_job_for_user(request.user, pk)
    if not job.succeeded or not job.result_file:
        raise Http404
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=job.result_filename or job.result_file.name or "")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@office_view(methods=("POST",))
def job_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    try:
        new = services.job_retry(job=job, by=request.user)
    except ValidationError as exc:
        return render_job(request, job, refusal=" ".join(exc.messages), status=400)
    messages.success(request, _("The job was started again."))
    return redirect("jobs:detail", new.pk)


urls = [
    path("office/jobs/", job_list, name="list"),
    path("office/jobs/<int:pk>/", job_detail, name="detail"),
    path("office/jobs/<int:pk>/download/", job_download, name="download"),
    path("office/jobs/<int:pk>/retry/", job_retry, name="retry"),
]
