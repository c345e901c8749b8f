"""Live progress of a running job: one small JSON file per job, ``MEDIA_ROOT/jobs/progress/<pk>.json``.

Why a file and not the ``Job`` row: the registry import writes in ONE transaction (all or nothing).
On SQLite a row updated inside that transaction is invisible to the page's connection until the
commit, and a second connection that tried to write it would wait for the single writer lock
(docs/adr/0003-background-jobs.md has the figures). A file written with an atomic rename is seen
at once by every web process on the machine, costs well under a millisecond, and needs no
database. Web servers and workers must therefore share MEDIA_ROOT (they already do for uploads).

``ProgressReporter(job)`` is what a job's work calls: ``report(stage, done, total)``. It writes at
most every ``min_interval`` seconds (and always when the stage changes), so callers may call it as
often as they like. The final state goes on the ``Job`` row when the job ends
(``services.job_finish`` / ``job_fail``), and the file is removed.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings


def progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / "progress" / f"{job_id}.json"


def write_progress(job_id: int, *, stage: str, done: int, total: int | None) -> None:
    """Replace the job's progress file atomically (write a temporary file, then rename it)."""
    path = progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"stage": stage, "done": done, "total": total, "at": time.time()}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{job_id}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_progress(job_id: int) -> dict[str, Any] | None:
    """The last progress written for the job, or None (not started, finished, or unreadable)."""
    try:
        with progress_path(job_id).open(encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def clear_progress(job_id: int) -> None:
    progress_path(job_id).unlink(missing_ok=True)


class ProgressReporter:
    """``report(stage, done, total)`` for one job, throttled to one write per ``min_interval`` s."""

    def __init__(self, job_id: int, *, min_interval: float = 0.25) -> None:
        self.job_id = job_id
        self.min_interval = min_interval
        self._last_stage: str | None = None
        self._last_at = 0.0

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if stage == self._last_stage and now - self._last_at < self.min_interval:
            return
        self._last_stage, self._last_at = stage, now
        write_progress(self.job_id, stage=str(stage), done=done, total=total)
