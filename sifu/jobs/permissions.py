"""Fetch and authorise a job (DESIGN.md §4.4): a job is seen by its owner only, anyone else meets 404.

Why not the subdistrict admin too: a job's result may hold what only its owner was allowed to see
(an unmasked export, the names in an import's row errors), and nobody needs another's job to do
their work; the administrator of the machine sees every task in Django admin.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from sifu.jobs.models import Job
from sifu.jobs.selectors import jobs_for_user


def get_job_for_user(user: Any, pk: int) -> Job:
    return get_object_or_404(jobs_for_user(user), pk=pk)
