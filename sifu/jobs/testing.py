"""For tests: run the queued tasks with django-tasks-db's own worker loop, in this process.

``run_queued_jobs()`` is ``manage.py db_worker --batch`` without its signal handlers and without
closing the database connection between tasks (``close_old_connections`` would close the test's
transaction). It returns the number of tasks run.
"""

from __future__ import annotations

from unittest import mock

from django_tasks_db.management.commands import db_worker


def make_worker(*, batch: bool = True, interval: float = 0.0, worker_id: str = "test-worker") -> db_worker.Worker:
    return db_worker.Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_queued_jobs() -> int:
    worker = make_worker()
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()
    return worker._run_tasks
