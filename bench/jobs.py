"""Figures behind docs/adr/0003-background-jobs.md: why a job's live progress lives in a file.

.venv/bin/python -m bench.jobs                       # SQLite visibility, progress-file cost
DATABASE_URL=sqlite:///$PWD/db.sqlite3 .venv/bin/python -m bench.jobs --import 300 5
    # + an import run as a job by a `db_worker` process, on a migrated database holding the
    #   demo (make db), watched as the page watches it; a second writer tries its luck meanwhile
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time


def sqlite_visibility() -> None:
    path = os.path.join(tempfile.mkdtemp(), "t.sqlite3")

    def connect(timeout: float) -> sqlite3.Connection:
        c = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
        return c

    worker, page = connect(20), connect(2)
    worker.execute("create table job (id integer primary key, done integer)")
    worker.execute("insert into job values (1, 0)")
    worker.execute("BEGIN IMMEDIATE")  # the import's transaction (transaction_mode=IMMEDIATE)
    worker.execute("update job set done = 500 where id = 1")
    print("worker, inside its transaction, reads done =", worker.execute("select done from job").fetchone()[0])
    print("the page's connection reads done =", page.execute("select done from job").fetchone()[0])
    start = time.perf_counter()
    try:
        page.execute("BEGIN IMMEDIATE")
        page.execute("update job set done = 600 where id = 1")
        page.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        print(f"a second connection writing progress: {exc!r} after {time.perf_counter() - start:.2f} s (timeout 2 s)")
    worker.execute("COMMIT")
    print("after the commit the page reads done =", page.execute("select done from job").fetchone()[0])


def progress_file_cost() -> None:
    from sifu.jobs.progress import read_progress, write_progress

    writes, reads = [], []
    for i in range(2000):
        start = time.perf_counter()
        write_progress(1, stage="Step 3 of 3: writing", done=i, total=2000)
        writes.append(time.perf_counter() - start)
    for _i in range(2000):
        start = time.perf_counter()
        read_progress(1)
        reads.append(time.perf_counter() - start)
    print(
        f"progress file: write median {statistics.median(writes) * 1e6:.0f} µs "
        f"(p99 {sorted(writes)[1980] * 1e6:.0f} µs), read median {statistics.median(reads) * 1e6:.0f} µs"
    )


def import_job(orgs: int, members: int, *, check: bool) -> None:
    from django.core.files.base import ContentFile

    from sifu.accounts.models import User
    from sifu.jobs.progress import read_progress
    from sifu.jobs.services import job_start
    from sifu.registry import tasks
    from sifu.registry.tests.excel import member, org, workbook

    tag = str(int(time.time()))[-5:]
    names = [f"作业测试{tag}队{i}" for i in range(orgs)]
    rows = [
        member(name, f"员{i}-{j}", (int(tag) % 90) * 1_000_000 + i * 10 + j, **({"角色": "负责人"} if j == 0 else {}))
        for i, name in enumerate(names)
        for j in range(members)
    ]
    data = workbook([org(name, 备案编号=f"J{tag}-{i}") for i, name in enumerate(names)], rows)
    job = job_start(
        kind=tasks.IMPORT_KIND,
        label="bench",
        task=tasks.import_workbook,
        params={"dry_run": check, "filename": "bench.xlsx"},
        source=ContentFile(data),
        source_name="bench.xlsx",
        by=User.objects.get(username="admin"),
    )
    start = time.time()
    cmd = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay", "-v0"]
    worker = subprocess.Popen(cmd)
    seen: list[tuple[str, int]] = []
    stages: dict[str, float] = {}
    second_writer: list[str] = []
    database = os.environ.get("DATABASE_URL", "").removeprefix("sqlite:///")
    while worker.poll() is None:
        live = read_progress(job.pk)
        if live and (not seen or seen[-1] != (live["stage"], live["done"])):
            seen.append((live["stage"], live["done"]))
            stages.setdefault(live["stage"], time.time() - start)
            in_write = "3 of 3" in live["stage"] or "第 3" in live["stage"]
            if in_write and live["done"] > 1 and not second_writer and database.endswith("sqlite3") and not check:
                other = sqlite3.connect(database, timeout=20, isolation_level=None)
                t = time.perf_counter()
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.execute("ROLLBACK")
                    second_writer.append(f"waited {time.perf_counter() - t:.1f} s")
                except sqlite3.OperationalError as exc:
                    second_writer.append(f"{exc} after {time.perf_counter() - t:.1f} s")
        time.sleep(0.25)
    job.refresh_from_db()
    assert job.started_at and job.finished_at
    print(
        f"{orgs} organizations × {members} members, {'check' if check else 'import'}: {job.status} in "
        f"{(job.finished_at - job.started_at).total_seconds():.1f} s (queue wait "
        f"{(job.started_at - job.created_at).total_seconds():.1f} s); {len(seen)} progress states seen"
    )
    for stage, at in stages.items():
        print(f"  {at:6.1f} s  {stage}")
    if second_writer:
        print("  a second writer during the write step:", second_writer[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--import", dest="size", nargs=2, type=int, metavar=("ORGS", "MEMBERS"))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SIFU_MEDIA_ROOT", tempfile.mkdtemp())
    import django

    django.setup()
    sqlite_visibility()
    progress_file_cost()
    if args.size:
        import_job(*args.size, check=True)
        import_job(*args.size, check=False)


if __name__ == "__main__":
    main()
