"""Tasks used by the jobs tests only (a task must be importable by its module path)."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from sifu.jobs.models import Job
from sifu.jobs.progress import ProgressReporter, read_progress
from sifu.jobs.runner import JobOutput, run_job

SEEN: list[Any] = []  # what the work saw of its own progress, for the test to read


@task()
def count_to(job_id: int) -> dict[str, Any]:
    return run_job(job_id, _count_to)


def _count_to(job: Job, report: ProgressReporter) -> JobOutput:
    n = int(job.params_get("n", 3))
    for i in range(1, n + 1):
        report("counting", i, n)
        SEEN.append(read_progress(job.pk))
    return JobOutput(result={"lines": [f"counted to {n}"]}, content=b"1,2,3", filename="count.csv", total=n)


@task()
def explode(job_id: int) -> dict[str, Any]:
    return run_job(job_id, _explode)


def _explode(job: Job, report: ProgressReporter) -> JobOutput:
    report("about to fail", 1, 2)
    raise RuntimeError("disk on fire")
