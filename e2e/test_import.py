"""Import in the browser: a workbook with a bad row shows the row error and writes nothing; a good one
imports after a check. Both run as background jobs, on a worker beside the live server."""

from __future__ import annotations

import pytest

from sifu.core.validators import uscc_check_char
from sifu.registry.models import Organization
from sifu.registry.tests.excel import member, org, workbook


@pytest.fixture
def files(tmp_path):
    code = "51440305MJL000010"
    right = code + uscc_check_char(code)
    wrong = code + ("0" if right[-1] != "0" else "1")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook(
            [
                org("浏览器测试队", 备案编号="E2E-1"),
                org("坏码互助社", 组织性质="社团型", 登记状态="登记", 统一社会信用代码=wrong, 登记日期="2023-01-01"),
            ],
            [member("浏览器测试队", "甲", 301, 角色="负责人")],
        )
    )
    good = tmp_path / "good.xlsx"
    good.write_bytes(
        workbook([org("浏览器测试队", 备案编号="E2E-1")], [member("浏览器测试队", "甲", 301, 角色="负责人")])
    )
    return bad, good


def wait_for_the_result(page) -> None:
    """The job page polls itself until the job has ended: then its status carries the result."""
    page.wait_for_selector("#job-status[data-status=succeeded], #job-status[data-status=failed]", timeout=60_000)


def test_an_import_with_a_bad_row_shows_the_row_error(
    transactional_db, world, office_admin, page, live_server, login, shot, files, job_worker
):
    bad, good = files
    login("office_admin")
    page.goto(f"{live_server.url}/office/import/")
    shot("import-page")
    page.set_input_files("#id_file", str(bad))
    page.click("form.import-form button[type=submit]")
    wait_for_the_result(page)
    errors = page.locator("table.import-errors tbody tr")
    assert errors.count() == 1
    assert errors.first.locator("td").nth(0).inner_text() == "组织"
    assert "3" in errors.first.locator("td").nth(1).inner_text()
    assert errors.first.locator("td").nth(2).inner_text() == "统一社会信用代码"
    shot("import-errors")
    shot("import-errors-phone", phone=True)
    assert not Organization.objects.filter(name="浏览器测试队").exists()

    page.click("text=上传修改后的工作簿")  # back to the upload form
    page.set_input_files("#id_file", str(good))
    assert page.is_checked("#id_dry_run"), "“check only” is ticked by default"
    page.click("form.import-form button[type=submit]")
    wait_for_the_result(page)
    assert page.locator(".import-result .message").count() == 1
    assert not Organization.objects.filter(name="浏览器测试队").exists()
    page.click("form.import-now button[type=submit]")  # after a passed check: import the same file
    wait_for_the_result(page)
    assert "导入完成" in page.locator(".import-result .message").inner_text()
    shot("import-done")
    assert Organization.objects.get(name="浏览器测试队").status == Organization.Status.ACTIVE
