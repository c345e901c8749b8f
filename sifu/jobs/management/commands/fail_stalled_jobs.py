"""``python manage.py fail_stalled_jobs [--minutes 120]``: mark as failed the jobs whose worker died.

A job stays "running" if its worker was killed mid-task (django-tasks-db does not hand a claimed
task to another worker). Run this from cron (e.g. every 15 minutes); choose ``--minutes`` above
the longest job you expect. Their owners then see "failed" and may run them again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sifu.jobs.services import jobs_fail_stalled


class Command(BaseCommand):
    help = "Mark as failed the jobs still 'running' whose worker stopped (no progress for --minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=120, help="running and silent for this long (120)")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = jobs_fail_stalled(older_than=dt.timedelta(minutes=options["minutes"]))
        for job in failed:
            self.stdout.write(f"job #{job.pk} ({job.kind}, {job.owner}) marked failed")
        self.stdout.write(f"{len(failed)} stalled job(s) marked failed.")
