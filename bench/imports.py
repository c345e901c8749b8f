"""Time ``manage.py import_registry`` on a generated workbook (issue 7 §8), on fresh databases.

    .venv/bin/python -m bench.imports                                  # SQLite, 10,000 / 30,000
    DATABASE_URL=postgres://… .venv/bin/python -m bench.imports        # SQLite, then PostgreSQL
    .venv/bin/python -m bench.imports --orgs 1500 --members 18000 --no-sqlite --append

For each database — a new SQLite file, and PostgreSQL when ``DATABASE_URL`` points to one (a
database ``sifu_import_bench`` is created beside the one named, and dropped after) — it migrates,
creates the areas of ``bench.workbook`` through the accounts service, then runs the command twice
under ``/usr/bin/time -v``: ``--dry-run`` (checks and writes, rolled back), then the real import.
Wall time, CPU time (user + system) and peak resident memory are printed as a Markdown table
(``--append`` adds it to bench/results.md). The workbook is written once to ``--work``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DB = "sifu_import_bench"


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def _timed(args: list[str], env: dict[str, str]) -> dict[str, float | str]:
    out = _run(["/usr/bin/time", "-v", *args], env)

    def grab(label: str) -> str:
        match = re.search(rf"{re.escape(label)}: (.+)", out)
        return match[1].strip() if match else ""

    wall = grab("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** (len(parts) - 1 - i) for i, p in enumerate(parts))
    summary = [line for line in out.splitlines() if "：" in line or line.startswith(("Organizations", "People"))]
    return {
        "wall": seconds,
        "cpu": float(grab("User time (seconds)") or 0) + float(grab("System time (seconds)") or 0),
        "rss_mb": int(grab("Maximum resident set size (kbytes)") or 0) / 1024,
        "summary": " / ".join(summary),
    }


def _postgres(url: str) -> tuple[str, object]:
    import psycopg

    parts = urlsplit(url)
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    admin.execute(f"CREATE DATABASE {BENCH_DB}")
    row = admin.execute("SHOW server_version").fetchone()
    version = row[0] if row else "?"
    admin.close()
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}")), version


def _drop_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def bench(database_url: str, workbook: Path, orgs: int) -> list[dict[str, Any]]:
    env = os.environ | {"DATABASE_URL": database_url}
    _run([PYTHON, "manage.py", "migrate", "-v0"], env)
    _run([PYTHON, "-m", "bench.workbook", "--areas-only", "--orgs", str(orgs)], env)
    rows = []
    for label, extra in (("dry run", ["--dry-run"]), ("import", [])):
        result = _timed([PYTHON, "manage.py", "import_registry", str(workbook), *extra], env)
        rows.append({"run": label, **result})
        print(
            f"  {label}: {result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, {result['rss_mb']:.0f} MiB", flush=True
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/sifu-import-bench"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--append", action="store_true", help="append the table to bench/results.md")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    workbook = args.work / f"registry-{args.orgs}-{args.members}.xlsx"
    if not workbook.exists():
        print(_run([PYTHON, "-m", "bench.workbook", "--orgs", str(args.orgs), "--members", str(args.members),
                    str(workbook)], dict(os.environ)).strip())  # fmt: skip
    results: list[tuple[str, list[dict]]] = []
    if not args.no_sqlite:
        import sqlite3

        path = args.work / "import.sqlite3"
        for stale in args.work.glob("import.sqlite3*"):
            stale.unlink()
        print(f"SQLite {sqlite3.sqlite_version}")
        results.append((f"SQLite {sqlite3.sqlite_version}", bench(f"sqlite:///{path}", workbook, args.orgs)))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        bench_url, version = _postgres(url)
        print(f"PostgreSQL {version}")
        try:
            results.append((f"PostgreSQL {version}", bench(bench_url, workbook, args.orgs)))
        finally:
            _drop_postgres(url)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    lines = [
        f"## {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · registry import · {args.orgs:,} organizations, "
        f"{args.members:,} member rows · commit {commit.stdout.strip()}",
        "",
        f"Machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}; "
        f"load average after the runs {' '.join(load)} (shared machine).  ",
        "Command: `manage.py import_registry FILE [--dry-run]` under `/usr/bin/time -v`, fresh database.",
        "",
        "| database | run | wall s | CPU s | peak RSS MiB | summary |",
        "|---|---|---:|---:|---:|---|",
    ]
    for database, rows in results:
        for row in rows:
            lines.append(
                f"| {database} | {row['run']} | {row['wall']:.1f} | {row['cpu']:.1f} | {row['rss_mb']:.0f} | "
                f"{row['summary']} |"
            )
    table = "\n".join(lines) + "\n"
    print()
    print(table)
    if args.append:
        with (ROOT / "bench" / "results.md").open("a", encoding="utf-8") as out:
            out.write("\n" + table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
