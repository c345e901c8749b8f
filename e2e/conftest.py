"""Browser tests: Playwright driving Debian's /usr/bin/chromium against live_server.

Screenshots go to artifacts/screenshots/ (kept by CI as artifacts). Run with
`DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest e2e -m browser` (scripts/run-tests.sh does).
"""

from __future__ import annotations

import os
import pathlib
import shutil

import pytest

from sifu.conftest import *  # noqa: F403 - personas and the world fixture

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",
]
SHOTS = pathlib.Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.browser)
    if not shutil.which(CHROMIUM) and os.environ.get("SIFU_REQUIRE_BROWSER") != "1":
        skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed")
        for item in items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the browser tests use a database FILE (WAL, busy timeout: the settings' own), not
    the shared in-memory database: there, a job worker's thread writing beside the live server's
    thread meets "database table is locked" at once instead of waiting its turn, as it does in a
    real deployment (docs/adr/0003-background-jobs.md)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("e2e-db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _english_source_strings():
    """Browser tests see the site as users do: in zh-hans, the default language."""
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def shot(page):
    """shot("name") saves a full-page screenshot of the current page as an artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, *, phone: bool = False) -> pathlib.Path:
        if phone:
            page.set_viewport_size({"width": 390, "height": 844})
            # The narrower layout starts CSS transitions (the office sidebar slides off): let them end.
            page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if phone:
            page.set_viewport_size({"width": 1280, "height": 900})
        return path

    return take


@pytest.fixture
def login(page, live_server):
    def do(username: str, password: str = "Sifu-test-2024") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return do


@pytest.fixture
def logout(page):
    """Forget the session (as a new visitor would arrive): the next page is seen anonymously."""

    def do() -> None:
        page.context.clear_cookies()

    return do


@pytest.fixture
def job_worker(live_server, settings, tmp_path):
    """A django-tasks-db worker running in a thread against the live server's database, as
    `manage.py db_worker` would beside the web server (uploads and job files in a temporary
    MEDIA_ROOT). Yields the worker; stops it at the end of the test."""
    import threading

    from django.db import connection

    from sifu.jobs.testing import make_worker

    settings.MEDIA_ROOT = tmp_path
    worker = make_worker(batch=False, interval=0.2, worker_id="e2e-worker")

    def run() -> None:
        try:
            worker.run()
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="job-worker", daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(timeout=60)
