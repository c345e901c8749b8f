"""Benchmarks of the office pages on generated data.

    .venv/bin/python -m bench.run [--scale small|city] [--runs N] [--no-append] [--sql]
    make bench                                   # the same, small scale

For each database — a fresh SQLite file always, and PostgreSQL too when ``DATABASE_URL`` points
to one (a separate ``test_…`` database is created and dropped; the database named in the URL is
never touched) — a worker process builds the schema, generates a city with ``bench.generate``,
then times with Django's test client, logged in as a subdistrict admin of one subdistrict and as
a read-only leader of the whole city:

- the organization list page (``registry:organization-list``), also with a text search,
- an organization's detail page (``registry:organization-detail``, the biggest organization),
- the dashboard (``outcomes:dashboard``),
- ``registry.selectors.registry_figures`` for the user's area (no HTTP),
- the office home (``web:office-home``),
- the incubation pages: the need list, the gap map and one community's gap page (the subdistrict's
  first community), the case list and a case (the subdistrict's first case whose first filing is
  in review), the filing queue (default tab, and the overdue tab) and a filing request (that
  case's), the leader candidate overview, the subdistrict's service plan,
- ``incubation.selectors.figures.incubation_figures`` for the user's area, from 1 January to
  today (no HTTP).

Detail pages show the same kind of object at every scale, so their query counts compare.
``--sql`` prints the SQL of each row's counted run, to find a query that grows with rows.

Each is run ``--runs`` times after two warm-up runs; the median and 95th percentile wall times
and the number of SQL queries of one run are reported, and appended to ``bench/results.md``
with the date, the machine and the scale. A page whose URL name does not resolve is reported
as "not available" rather than failing the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results.md"
MARK = "@@BENCH-JSON@@"


# --- worker (one database, one process) --------------------------------------------------------


def _setup_django(database_url: str) -> None:
    import warnings

    # whitenoise warns when collectstatic has not run; the benchmark serves no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["SIFU_DEBUG"] = "0"  # time what production runs, not the debug toolbar of errors
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _measure(call: Callable[[], Any], runs: int, *, show_sql: bool = False) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm-up: templates, caches, the database's own caches
        call()
    with CaptureQueriesContext(connection) as queries:
        result = call()
    n_queries = len(queries)  # now: the next request resets the connection's query log
    sql = [" ".join(q["sql"].split())[:300] for q in queries.captured_queries] if show_sql else None
    status = getattr(result, "status_code", 200)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "queries": n_queries,
        "status": status,
        **({"sql": sql} if show_sql else {}),
    }


@dataclass(frozen=True)
class Page:
    """One row of the table: a page (URL name, positional args, query string) or a direct call."""

    label: str
    url_name: str = ""
    args: list[Any] | None = field(default_factory=list)  # None: no object to show at this scale
    params: dict[str, str] | None = None
    call: Callable[[], Any] | None = None


def _worker(scale: str, runs: int, show_sql: bool = False) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Case, Count, When
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from bench.generate import generate
    from sifu.accounts.models import Area

    vendor = connection.vendor
    test_db = None
    if vendor == "postgresql":
        # A separate, fresh database next to the one in DATABASE_URL, dropped at the end.
        test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    else:
        call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    try:
        data = generate(scale)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as autovacuum / a maintained database has them
        from sifu.incubation.models import Filing, IncubationCase, ServicePlan
        from sifu.incubation.selectors.figures import incubation_figures
        from sifu.registry.models import Organization
        from sifu.registry.selectors import registry_figures

        # The objects the detail pages show, chosen the same way at every scale, in the admin's subdistrict
        # (so both users may open them).
        path = data.subdistrict.path
        biggest = (
            Organization.objects.filter(community__path__startswith=path)
            .annotate(n=Count("memberships"))
            .order_by("-n", "pk")
            .first()
        )
        community = Area.objects.filter(parent=data.subdistrict).order_by("pk").first()
        # A case whose first filing is in review (the generator makes the subdistrict's first one so),
        # and that filing request (else the subdistrict's first request).
        case = (
            IncubationCase.objects.filter(organization__community__path__startswith=path)
            .annotate(in_review=Case(When(stage=IncubationCase.Stage.FILING, then=0), default=1))
            .order_by("in_review", "pk")
            .first()
        )
        filings = Filing.objects.filter(organization__community__path__startswith=path)
        filing = (case and filings.filter(organization_id=case.organization_id).order_by("-submitted_at").first()) or (
            filings.order_by("pk").first()
        )
        plan = ServicePlan.objects.filter(area=data.subdistrict).order_by("pk").first()

        def pk(obj: Any) -> list[int] | None:
            return [obj.pk] if obj is not None else None  # None: nothing to show, reported as not available

        today = timezone.localdate()
        year_start = today.replace(month=1, day=1)
        results = []
        for label, user, area in (
            ("subdistrict admin", data.admin, data.subdistrict),
            ("city leader", data.leader, data.city),
        ):
            client = Client()
            client.force_login(user)
            pages = [
                Page("organization list", "registry:organization-list"),
                Page("organization list, search", "registry:organization-list", params={"q": "组织1"}),
                Page("organization detail", "registry:organization-detail", args=pk(biggest)),
                Page("dashboard", "outcomes:dashboard"),
                Page("registry_figures()", call=partial(registry_figures, today, area=area)),
                Page("office home", "web:office-home"),
                Page("need list", "incubation:need-list"),
                Page("gap map", "incubation:gap-map"),
                Page("gap map, community", "incubation:gap-community", args=pk(community)),
                Page("case list", "incubation:case-list"),
                Page("case detail", "incubation:case-detail", args=pk(case)),
                Page("filing list", "incubation:filing-list"),
                Page("filing list, overdue", "incubation:filing-list", params={"tab": "overdue"}),
                Page("filing detail", "incubation:filing-detail", args=pk(filing)),
                Page("candidate overview", "incubation:candidate-overview"),
                Page("plan detail", "incubation:plan-detail", args=pk(plan)),
                Page(
                    "incubation_figures()",
                    call=partial(incubation_figures, start=year_start, end=today, area=area),
                ),
            ]
            for page in pages:
                row: dict[str, Any] = {"page": page.label, "user": label}
                call = page.call
                if call is None:
                    try:
                        if page.args is None:
                            raise NoReverseMatch("no object to show")
                        url = reverse(page.url_name, args=page.args)
                    except NoReverseMatch:
                        row["error"] = "not available"
                        results.append(row)
                        continue
                    call = lambda url=url, params=page.params, client=client: client.get(url, params or {})  # noqa: E731
                row.update(_measure(call, runs, show_sql=show_sql))
                if row["status"] != 200:
                    row["error"] = f"HTTP {row['status']}"
                sql = row.pop("sql", None)
                results.append(row)
                shown = {k: v for k, v in row.items() if k not in ("page", "user")}
                print(f"  {label:18} {page.label:28} {json.dumps(shown)}", flush=True)
                for i, query in enumerate(sql or [], start=1):
                    print(f"      {i:2}. {query}", flush=True)
        detail = f"{biggest.name} ({biggest.n} members)" if biggest else ""
        if case is not None:
            detail += f"; case of {case.organization.name} ({case.stage})"
        if filing is not None:
            detail += f"; filing request of {filing.organization.name} ({filing.kind}, {filing.status})"
        return {
            "backend": vendor,
            "version": version,
            "scale": scale,
            "counts": data.counts,
            "generate_seconds": round(data.seconds, 1),
            "runs": runs,
            "detail_of": detail,
            "results": results,
        }
    finally:
        if test_db is not None:
            connection.creation.destroy_test_db(test_db, verbosity=0)


# --- driver -----------------------------------------------------------------------------------


def _machine() -> str:
    affinity = getattr(os, "sched_getaffinity", None)  # what nproc prints (Linux)
    cpus = len(affinity(0)) if affinity else (os.cpu_count() or 0)
    return (
        f"{cpus} CPUs (nproc), {platform.machine()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def _markdown(report: dict[str, Any], machine: str) -> str:
    c = report["counts"]
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    backend = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(report["backend"], report["backend"])
    lines = [
        f"## {when} · scale `{report['scale']}` · {backend} {report['version']}",
        "",
        f"Machine: {machine}.  ",
        f"Data: {c['districts']} districts, {c['subdistricts']} subdistricts, {c['communities']} communities, "
        f"{c['organizations']:,} organizations, {c['people']:,} people, {c['memberships']:,} memberships "
        f"(generated in {report['generate_seconds']} s).  ",
        *(
            [
                f"Incubation: {c['needs']:,} needs, {c['incubation_cases']:,} incubation cases (each with its own "
                f"organization), {c['filings']:,} filing requests, {c['leader_candidates']:,} leader candidates, "
                f"{c['service_plans']:,} service plans.  "
            ]
            if "needs" in c
            else []
        ),
        f"Detail pages of: {report['detail_of']}. Runs per row: {report['runs']} after 2 warm-ups.",
        "",
        "| page | as | median ms | p95 ms | queries |",
        "|---|---|---:|---:|---:|",
    ]
    for row in report["results"]:
        if "median_ms" in row and "error" not in row:
            lines.append(f"| {row['page']} | {row['user']} | {row['median_ms']} | {row['p95_ms']} | {row['queries']} |")
        else:
            lines.append(f"| {row['page']} | {row['user']} | {row.get('error', '')} | | |")
    return "\n".join(lines) + "\n"


def _run_worker(scale: str, runs: int, database_url: str, show_sql: bool = False) -> dict[str, Any] | None:
    env = {**os.environ, "DATABASE_URL": database_url, "SIFU_DEBUG": "0"}
    cmd = [sys.executable, "-m", "bench.run", "--worker", "--scale", scale, "--runs", str(runs)]
    if show_sql:
        cmd.append("--sql")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    report = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(MARK):
            report = json.loads(line[len(MARK) :])
        else:
            print(line, end="", flush=True)
    if proc.wait() != 0:
        print(f"!! the benchmark worker for {database_url.split(':')[0]} failed", file=sys.stderr)
        return None
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["small", "city"], default="small")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per page (default 20 small, 10 city)")
    parser.add_argument("--no-append", action="store_true", help="print the results, do not add them to results.md")
    parser.add_argument(
        "--only", choices=["sqlite", "postgresql"], help="run one database only (PostgreSQL needs DATABASE_URL)"
    )
    parser.add_argument(
        "--sql", action="store_true", help="also print each page's SQL queries (one run; not added to results.md)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    runs = args.runs or (20 if args.scale == "small" else 10)

    if args.worker:
        _setup_django(os.environ["DATABASE_URL"])
        report: dict[str, Any] | None = _worker(args.scale, runs, show_sql=args.sql)
        print(MARK + json.dumps(report, ensure_ascii=False), flush=True)
        return 0

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    (DATA_DIR / ".gitignore").write_text("*\n")  # generated databases stay out of git
    sqlite_file = DATA_DIR / f"bench-{args.scale}.sqlite3"
    targets = [] if args.only == "postgresql" else [("SQLite", f"sqlite:///{sqlite_file}")]
    if targets:  # a fresh file each run; it stays afterwards for inspection
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    pg_url = os.environ.get("DATABASE_URL", "")
    if pg_url.startswith(("postgres://", "postgresql://")) and args.only != "sqlite":
        targets.append(("PostgreSQL", pg_url))
    if not targets:
        parser.error("--only postgresql needs DATABASE_URL=postgres://… (a throwaway cluster: scripts/pg-throwaway.sh)")
    machine = _machine()
    status = 0
    for name, url in targets:
        print(f"== {name}, scale {args.scale}")
        report = _run_worker(args.scale, runs, url, show_sql=args.sql)
        if report is None:
            status = 1
            continue
        text = _markdown(report, machine)
        print(text)
        if not args.no_append:
            new = not RESULTS.exists()
            with RESULTS.open("a", encoding="utf-8") as f:
                if new:
                    f.write("# Benchmark results\n\nAppended by `python -m bench.run` (see bench/run.py).\n\n")
                f.write(text + "\n")
    if not args.no_append:
        print(f"Results appended to {RESULTS.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
