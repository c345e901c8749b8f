"""Reads of the jobs app. A user sees their own jobs only (docs/adr/0003-background-jobs.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sifu.jobs.models import Job

RECENT = 5


def jobs_for_user(user: Any) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def recent_jobs(user: Any, limit: int = RECENT) -> list[Job]:
    """The user's latest jobs, for the office home (one query)."""
    return list(jobs_for_user(user).defer("params", "result")[:limit])
