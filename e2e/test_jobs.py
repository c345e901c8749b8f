"""Background jobs in the browser: the subdistrict admin uploads a workbook, watches the progress bar
move while a worker (beside the live server) checks it, sees the result, imports it, and finds the
jobs again from the office home."""

from __future__ import annotations

import time

import pytest

from sifu.jobs import progress
from sifu.jobs.models import Job
from sifu.registry.models import Organization
from sifu.registry.tests.excel import member, org, workbook

ORGS, MEMBERS = 150, 4


@pytest.fixture
def big_file(tmp_path):
    names = [f"进度条测试{i:03d}队" for i in range(ORGS)]
    rows = [
        member(name, f"员{i}-{j}", 500_000 + i * 10 + j, **({"角色": "负责人"} if j == 0 else {}))
        for i, name in enumerate(names)
        for j in range(MEMBERS)
    ]
    path = tmp_path / "进度条测试.xlsx"
    path.write_bytes(workbook([org(name, 备案编号=f"JD-{i:04d}") for i, name in enumerate(names)], rows))
    return path


@pytest.fixture
def slow_progress(monkeypatch):
    """Each progress report the worker writes also takes 1.2 s — longer than the page's one-second
    poll — so that the page sees every value the bar takes on any machine, however fast the import
    becomes (the check of this workbook now writes only a handful of reports)."""
    report = progress.ProgressReporter.__call__

    def slowed(self, stage, done, total=None):
        before = self._last_at
        report(self, stage, done, total)
        if self._last_at != before:  # written, not throttled away
            time.sleep(1.2)

    monkeypatch.setattr(progress.ProgressReporter, "__call__", slowed)


def watch_the_bar(page) -> list[tuple[str, str]]:
    """(value, max) of the progress bar, sampled while the job page polls, until the result shows."""
    seen: list[tuple[str, str]] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = page.locator("#job-status").get_attribute("data-status")
        if status in ("succeeded", "failed"):
            return seen
        bar = page.locator("progress.job-progress")
        if bar.count():
            sample = (bar.get_attribute("value") or "", bar.get_attribute("max") or "")
            if not seen or seen[-1] != sample:
                seen.append(sample)
        page.wait_for_timeout(150)
    raise AssertionError(f"the job did not end; the bar showed {seen}")


def test_an_import_runs_as_a_job_with_a_progress_bar(
    transactional_db, world, office_admin, page, live_server, login, shot, big_file, job_worker, slow_progress
):
    login("office_admin")
    page.goto(f"{live_server.url}/office/import/")
    page.set_input_files("#id_file", str(big_file))
    page.click("form.import-form button[type=submit]")  # "check only" is ticked
    page.wait_for_selector("#job-status")
    assert page.locator("h1").inner_text() == "导入检查：进度条测试.xlsx"
    page.wait_for_selector("progress.job-progress[value]", timeout=30_000)
    shot("job-progress")
    shot("job-progress-phone", phone=True)
    seen = watch_the_bar(page)
    moving = [(int(v), int(m)) for v, m in seen if v and m]
    assert len({v for v, _m in moving}) >= 3, f"the bar moved: {seen}"
    assert any(0 < v < m for v, m in moving), seen
    assert page.locator("#job-status").get_attribute("data-status") == "succeeded"
    assert "检查通过" in page.locator(".import-result .message").inner_text()
    assert page.locator(".import-orgs tbody tr").count() == ORGS
    assert not Organization.objects.filter(name__startswith="进度条测试").exists()
    shot("job-check-passed")

    page.click("form.import-now button[type=submit]")  # import the checked file
    page.wait_for_selector("#job-status")
    assert page.locator("h1").inner_text() == "导入：进度条测试.xlsx"
    watch_the_bar(page)
    assert "导入完成" in page.locator(".import-result .message").inner_text()
    assert Organization.objects.filter(name__startswith="进度条测试").count() == ORGS
    shot("job-import-done")

    # The jobs are found again from the office home, after leaving the page.
    page.goto(f"{live_server.url}/office/")
    recent = page.locator("#recent-jobs li")
    assert recent.count() == 2
    assert "导入：进度条测试.xlsx" in recent.nth(0).inner_text() and "已完成" in recent.nth(0).inner_text()
    assert "导入检查：进度条测试.xlsx" in recent.nth(1).inner_text()
    shot("office-home-recent-jobs")
    shot("office-home-recent-jobs-phone", phone=True)
    recent.nth(1).locator("a").click()
    page.wait_for_load_state()
    assert "检查通过" in page.locator(".import-result .message").inner_text()
    assert Job.objects.filter(owner=office_admin, status=Job.Status.SUCCEEDED).count() == 2


def test_a_large_export_is_a_job_whose_page_ends_with_the_file(
    transactional_db, world, office_admin, page, live_server, login, shot, job_worker, settings
):
    settings.SIFU_EXPORT_ROWS_AT_ONCE = 1
    login("office_admin")
    page.goto(f"{live_server.url}/office/organizations/export.xlsx")
    page.wait_for_selector("#job-status[data-status=succeeded]", timeout=60_000)
    assert "导出文件已生成" in page.locator("#job-status").inner_text()
    shot("job-export-done")
    with page.expect_download() as download:
        page.click("a.job-download")
    assert download.value.suggested_filename.startswith("organizations-")
