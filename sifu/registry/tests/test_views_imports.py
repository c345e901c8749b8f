"""The office import page, the template download and the import_registry command."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from sifu.core.spreadsheets import XLSX_CONTENT_TYPE
from sifu.jobs.models import Job
from sifu.jobs.testing import run_queued_jobs
from sifu.registry.models import Organization
from sifu.registry.tests.excel import member, org, table_counts, uscc, workbook

PAGE = reverse("registry:import")
TEMPLATE = reverse("registry:import-template")


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # uploads are stored with their job


def upload_and_run(client, data: bytes, *, dry_run: bool = False, name: str = "组织名单.xlsx"):
    """POST the upload (a job starts; the user is sent to its page), run the queued job with the
    database backend's worker, and return the job's page."""
    response = client.post(PAGE, {"file": upload(data, name), **({"dry_run": "on"} if dry_run else {})})
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert run_queued_jobs() == 1
    return client.get(response["Location"])


def upload(data: bytes, name: str = "组织名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_CONTENT_TYPE)


def bad_file() -> bytes:
    code = uscc("51")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    return workbook(
        [org("好队"), org("坏码社", 组织性质="社团型", 登记状态="登记", 统一社会信用代码=wrong, 登记日期="2023-01-01")],
        [member("好队", "甲", 91, 角色="负责人")],
    )


def good_file() -> bytes:
    return workbook(
        [org("上传队", 备案编号="UP-0001")], [member("上传队", "甲", 92, 角色="负责人"), member("上传队", "乙", 93)]
    )


# Access ---------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, world):
    assert client.get(PAGE).status_code == 302
    assert client.get(TEMPLATE).status_code == 302


@pytest.mark.parametrize("persona", ["community_staff", "org_leader", "district_leader", "outsider"])
def test_only_importers_may_use_the_pages(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.get(TEMPLATE).status_code == 403
    before = table_counts()
    assert client.post(PAGE, {"file": upload(good_file())}).status_code == 403
    assert table_counts() == before


def test_the_page_explains_and_offers_the_template(client, office_admin):
    client.force_login(office_admin)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert TEMPLATE in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="dry_run"' in html and "checked" in html
    assert "统一社会信用代码" in html  # the column reference


# Uploads --------------------------------------------------------------------------------------


def test_an_upload_with_a_bad_row_lists_it_and_writes_nothing(client, office_admin):
    client.force_login(office_admin)
    before = table_counts()
    response = upload_and_run(client, bad_file())
    assert response.status_code == 200
    errors = response.context["job"].result["errors"]
    assert [(e["sheet"], e["row"], e["column"]) for e in errors] == [("组织", 3, "统一社会信用代码")]
    html = response.content.decode()
    assert "1 problem found. Nothing was imported." in html
    assert '<td class="where">统一社会信用代码</td>' in html
    assert "check character is wrong" in html
    assert table_counts() == before


def test_check_then_import(client, office_admin):
    client.force_login(office_admin)
    before = table_counts()
    checked = upload_and_run(client, good_file(), dry_run=True)
    assert "Check passed" in checked.content.decode()
    check = checked.context["job"]
    assert check.result["summary"]["organizations_created"] == 1
    run = reverse("registry:import-run", args=[check.pk])
    assert f'action="{run}"' in checked.content.decode(), "a passed check offers “Import now”"
    assert table_counts() == before
    started = client.post(run)  # the same stored file, imported
    assert started.status_code == 302
    assert run_queued_jobs() == 1
    done = client.get(started["Location"])
    html = done.content.decode()
    assert "Import complete." in html
    created = Organization.objects.get(name="上传队")
    assert reverse("registry:organization-detail", args=[created.pk]) in html
    assert created.memberships.count() == 2
    again = upload_and_run(client, good_file())
    assert "nothing changed" in again.content.decode()
    assert client.post(run).status_code == 302, "importing a passed check twice is harmless"
    refused = client.post(reverse("registry:import-run", args=[done.context["job"].pk]))
    assert refused.status_code == 400, "only a passed check can be imported"
    assert "Only a check that passed can be imported." in refused.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名单.xlsx", b"just some text, renamed", "not an Excel workbook"),
        ("名单.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 60, "Only .xlsx workbooks"),
        ("名单.csv", b"a,b", "Only .xlsx workbooks"),
        ("名单.xlsx", b"PK\x03\x04 not really a zip", "could not be read"),
    ],
)
def test_files_that_are_not_workbooks_get_a_clear_error(client, office_admin, name, content, message):
    client.force_login(office_admin)
    before = table_counts()
    response = client.post(PAGE, {"file": upload(content, name)})
    assert response.status_code == 200
    assert not Job.objects.exists(), "a file refused at the upload starts no job"
    assert any(message in e for e in response.context["form"].errors["file"])
    assert message in response.content.decode()
    assert table_counts() == before


def test_the_size_limit(client, office_admin, settings):
    settings.SIFU_MAX_UPLOAD_BYTES = 1000
    client.force_login(office_admin)
    response = client.post(PAGE, {"file": upload(good_file())})
    assert "the limit is 1000" in response.content.decode()
    assert not Organization.objects.filter(name="上传队").exists()


# The template ---------------------------------------------------------------------------------


def test_the_template_download(client, office_admin):
    client.force_login(office_admin)
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["组织", "成员", "说明"]
    orgs, members, notes = wb["组织"], wb["成员"], wb["说明"]
    assert [c.value for c in orgs[1]][:3] == ["组织名称", "所属社区", "组织形式"]
    assert orgs["A2"].value.startswith("示例：") and orgs.max_row == 2
    assert members["A2"].value.startswith("示例：")
    formulas = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in orgs.data_validations.dataValidation}
    assert formulas["C2"] == '"社,站,队,中心,组"'
    assert formulas["O2"] == '"拟成立,培育中,活跃,休眠,注销"'
    assert formulas["B2"] == "'说明'!$G$2:$G$3"
    assert [notes["G2"].value, notes["G3"].value] == ["荔芳社区", "南园社区"], "only the communities in scope"
    assert members.column_dimensions["D"].number_format == "@", "ID numbers are typed as text"
    # The template imports cleanly (its examples are skipped).
    with translation.override("en"):
        from sifu.registry.imports import RegistryImport

        result = RegistryImport(by=office_admin).run(response.content)
    assert result.ok and result.summary.organizations_created == 0


# The command ----------------------------------------------------------------------------------


def test_the_command_reports_errors_and_exits_non_zero(world, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bad_file())
    before = table_counts()
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command("import_registry", str(path))
    assert exc.value.returncode == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("工作表 组织 第 3 行 统一社会信用代码: The code's check character")
    assert table_counts() == before


def test_the_command_imports_and_prints_a_summary(world, tmp_path, capsys):
    path = tmp_path / "good.xlsx"
    path.write_bytes(good_file())
    with translation.override("en"):
        call_command("import_registry", str(path), "--dry-run")
        assert not Organization.objects.filter(name="上传队").exists()
        assert "Dry run: nothing was written." in capsys.readouterr().out
        call_command("import_registry", str(path))
    out = capsys.readouterr().out
    assert "Organizations: 1 created, 0 updated, 0 unchanged" in out
    assert "Memberships: 2 created" in out
    assert Organization.objects.get(name="上传队").status == Organization.Status.ACTIVE


def test_the_command_acts_as_a_user_within_their_scope(world, community_staff, tmp_path):
    path = tmp_path / "good.xlsx"
    path.write_bytes(good_file())
    with translation.override("en"):
        with pytest.raises(CommandError, match="may not import"):
            call_command("import_registry", str(path), "--user", community_staff.username)
        with pytest.raises(CommandError, match="No active user"):
            call_command("import_registry", str(path), "--user", "nobody")
        with pytest.raises(CommandError, match="No such file"):
            call_command("import_registry", str(tmp_path / "missing.xlsx"))
