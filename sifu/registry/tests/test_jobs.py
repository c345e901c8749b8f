"""Registry work as background jobs: large exports, the import's progress, the command's terminal bar."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from sifu.accounts.services import role_revoke, system_actor
from sifu.jobs.models import Job
from sifu.jobs.testing import run_queued_jobs
from sifu.privacy.models import SensitiveView
from sifu.registry.imports import RegistryImport
from sifu.registry.management.commands.import_registry import TerminalProgress
from sifu.registry.models import Membership
from sifu.registry.tests.excel import member, org, workbook
from sifu.registry.tests.factories import make_organization

EXPORT = reverse("registry:organization-export")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def sheet_values(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


# Exports -----------------------------------------------------------------------------------------


def test_an_export_within_the_limit_downloads_at_once(client, world, community_staff, settings):
    settings.SIFU_EXPORT_ROWS_AT_ONCE = 1  # community A holds org A only
    client.force_login(community_staff)
    response = client.get(EXPORT)
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert not Job.objects.exists()


def test_an_export_over_the_limit_becomes_a_job_with_a_file_for_its_owner(
    client, world, office_admin, community_staff, settings
):
    settings.SIFU_EXPORT_ROWS_AT_ONCE = 1
    client.force_login(office_admin)
    response = client.get(EXPORT, {"status": "active"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == "registry.export" and job.params["query"] == "status=active"
    assert "(2 rows)" in job.label
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page

    assert run_queued_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["rows"] == 2
    page = client.get(response["Location"]).content.decode()
    download = reverse("jobs:download", args=[job.pk])
    assert "The export is ready." in page and download in page and "hx-trigger" not in page
    file = client.get(download)
    values = sheet_values(b"".join(file.streaming_content))
    assert world.org_a.name in values and world.org_b.name in values, "the filter and the scope of the owner"
    assert world.org_other.name not in values
    phone = Membership.objects.get(organization=world.org_a, role=Membership.Role.LEADER).person.phone
    assert phone not in values, "masked"
    assert not SensitiveView.objects.exists()
    client.force_login(community_staff)
    assert client.get(download).status_code == 404, "only its owner may download it"


def test_an_unmasked_export_job_is_recorded_when_the_file_is_made(client, world, office_admin, settings):
    settings.SIFU_EXPORT_ROWS_AT_ONCE = 1
    client.force_login(office_admin)
    client.get(EXPORT, {"unmasked": "1"})
    assert not SensitiveView.objects.exists()
    run_queued_jobs()
    job = Job.objects.get()
    phone = Membership.objects.get(organization=world.org_a, role=Membership.Role.LEADER).person.phone
    assert phone in sheet_values(job.result_file.read())
    logged = SensitiveView.objects.get(user=office_admin, field=SensitiveView.Field.EXPORT)
    assert f"job #{job.pk}" in logged.context and "unmasked=1" in logged.context


def test_an_export_job_checks_the_permission_again_when_it_runs(client, world, office_admin, settings):
    settings.SIFU_EXPORT_ROWS_AT_ONCE = 1
    client.force_login(office_admin)
    client.get(EXPORT)
    for grant in office_admin.grants.all():
        role_revoke(grant=grant, by=system_actor())
    run_queued_jobs()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "may not export" in job.error
    assert not job.result_file


def test_the_export_job_reports_its_progress(world, office_admin, settings, monkeypatch):
    from sifu.core.spreadsheets import export
    from sifu.jobs import progress

    for i in range(5):
        make_organization(world.community_a, f"导出进度队{i}")
    monkeypatch.setattr(export, "PROGRESS_EVERY", 2)
    seen = []
    monkeypatch.setattr(progress.ProgressReporter, "__call__", lambda self, stage, done, total=None: seen.append(done))
    settings.SIFU_EXPORT_ROWS_AT_ONCE = 1
    from django.test import Client

    client = Client()
    client.force_login(office_admin)
    client.get(EXPORT)
    run_queued_jobs()
    assert seen == [0, 2, 4, 6]


# The import's progress ------------------------------------------------------------------------------


def test_the_import_reports_its_progress_step_by_step(world, office_admin, monkeypatch):
    from sifu.core.spreadsheets import importer
    from sifu.registry.imports import writes

    monkeypatch.setattr(importer, "PROGRESS_EVERY", 3)
    monkeypatch.setattr(writes, "PROGRESS_EVERY", 2)
    names = [f"进度队{i}" for i in range(4)]
    data = workbook(
        [org(name, 备案编号=f"P-{i}") for i, name in enumerate(names)],
        [member(name, f"甲{i}", 400 + i, 角色="负责人") for i, name in enumerate(names)],
    )
    calls = []
    result = RegistryImport(by=office_admin).run(data, dry_run=True, progress=lambda *a: calls.append(a))
    assert result.ok
    stages = [c[0] for c in calls]
    assert stages == sorted(stages, key=["read", "check", "write"].index), "read, then check, then write"
    reads = [c for c in calls if c[0] == "read"]
    assert [c[1] for c in reads] == [3, 6] and all(c[2] >= c[1] for c in reads)
    assert ("check", 0, None) in calls
    writes_ = [c for c in calls if c[0] == "write"]
    assert writes_[0] == ("write", 0, None) and writes_[1] == ("write", 1, 9)
    assert [c[1] for c in writes_[2:]] == [2, 4, 6, 8], "every other organization, twice over"


def test_the_command_draws_a_bar_per_step_on_the_terminal(capsys):
    bar = TerminalProgress(disable=False)
    bar("read", 200, 400)
    bar("read", 400, 400)
    bar("check", 0, None)
    bar("write", 10, 20)
    bar.close()
    err = capsys.readouterr().err
    assert "1/3 reading rows" in err and "400/400" in err
    assert "2/3 checking" in err and "3/3 writing" in err and "20/20" in err
