"""Background jobs: services and states, the database backend with its worker, progress, pages, access."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from sifu.jobs import services
from sifu.jobs.models import Job
from sifu.jobs.progress import ProgressReporter, progress_path, read_progress, write_progress
from sifu.jobs.selectors import recent_jobs
from sifu.jobs.testing import run_queued_jobs
from sifu.jobs.tests import tasks


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def start(user, task=tasks.count_to, **params):
    return services.job_start(kind="jobs.count", label="Counting", task=task, params=params, by=user)


# The database backend and its worker -------------------------------------------------------------


def test_a_job_is_queued_in_the_database_and_run_by_the_worker(world, office_admin):
    tasks.SEEN.clear()
    job = start(office_admin, n=3)
    queued = DBTaskResult.objects.get(pk=job.task_id)
    assert queued.status == "READY" and queued.task_path == "sifu.jobs.tests.tasks.count_to"
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert job.status == Job.Status.QUEUED and job.language == "en"

    assert run_queued_jobs() == 1

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.started_at <= job.finished_at
    assert job.result == {"lines": ["counted to 3"]}
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.result_filename == "count.csv" and job.result_file.read() == b"1,2,3"
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"
    # While it ran, its progress was readable from outside; once done, the progress file is gone.
    assert tasks.SEEN[0]["stage"] == "counting" and tasks.SEEN[0]["total"] == 3
    assert not progress_path(job.pk).exists()


def test_a_failed_job_says_so_and_can_be_run_again(world, office_admin, client):
    job = start(office_admin, task=tasks.explode, n=1)
    assert run_queued_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert f"(#{job.pk})" in job.error and "disk on fire" not in job.error, "no traceback for the user"
    record = DBTaskResult.objects.get(pk=job.task_id)
    assert record.status == "FAILED" and "disk on fire" in record.traceback, "the administrator has it"
    assert not progress_path(job.pk).exists()

    client.force_login(office_admin)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "This job failed." in page and reverse("jobs:retry", args=[job.pk]) in page
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    again = Job.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[again.pk])
    assert (again.kind, again.params, again.status) == (job.kind, job.params, Job.Status.QUEUED)
    assert DBTaskResult.objects.get(pk=again.task_id).status == "READY"


def test_only_failed_jobs_are_run_again_and_only_by_their_owner(world, office_admin, community_staff):
    job = start(office_admin)
    with pytest.raises(ValidationError):
        services.job_retry(job=job, by=office_admin)
    with pytest.raises(PermissionDenied):
        services.job_retry(job=job, by=community_staff)


def test_a_task_delivered_twice_does_the_work_once(world, office_admin):
    job = start(office_admin)
    assert services.job_begin(job_id=job.pk) is not None
    assert services.job_begin(job_id=job.pk) is None
    assert services.job_begin(job_id=999999) is None


def test_the_immediate_backend_runs_the_job_at_once(world, office_admin, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    job = start(office_admin, n=2)
    assert job.status == Job.Status.SUCCEEDED and job.result == {"lines": ["counted to 2"]}


def test_a_job_belongs_to_a_signed_in_user(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        start(AnonymousUser())


# Progress ------------------------------------------------------------------------------------------


def test_progress_files_are_replaced_whole_and_throttled(settings, tmp_path):
    write_progress(7, stage="reading", done=1, total=10)
    assert read_progress(7)["done"] == 1
    report = ProgressReporter(7, min_interval=60)
    report("reading", 2, 10)
    report("reading", 3, 10)  # within the interval: skipped
    assert read_progress(7)["done"] == 2
    report("writing", 0, 5)  # a new stage is always written
    assert read_progress(7) | {"at": 0} == {"stage": "writing", "done": 0, "total": 5, "at": 0}
    assert list(progress_path(7).parent.glob("*.tmp")) == []
    progress_path(7).write_text("{not json")
    assert read_progress(7) is None
    assert read_progress(8) is None


# Pages -----------------------------------------------------------------------------------------------


def test_the_page_polls_while_the_job_runs_and_stops_when_it_is_done(world, office_admin, client):
    job = start(office_admin, n=4)
    client.force_login(office_admin)
    url = reverse("jobs:detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Waiting for a worker" in page
    services.job_begin(job_id=job.pk)
    write_progress(job.pk, stage="Counting sheep", done=1, total=4)
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="job-status"'), "htmx gets the status partial only"
    assert 'hx-trigger="every 1s"' in partial and "Counting sheep" in partial
    assert 'max="4" value="1"' in partial and "1 of 4 (25%)" in partial
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    run_queued_jobs()
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done, "polling stops"
    assert "counted to 4" in done and reverse("jobs:download", args=[job.pk]) in done


def test_a_job_is_seen_and_downloaded_by_its_owner_only(world, office_admin, community_staff, client):
    job = start(office_admin)
    run_queued_jobs()
    client.force_login(community_staff)
    for name in ("jobs:detail", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    assert job.label not in client.get(reverse("jobs:list")).content.decode()
    client.force_login(office_admin)
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"1,2,3"
    assert 'attachment; filename="count.csv"' in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"


def test_a_job_without_a_file_has_nothing_to_download(world, office_admin, client):
    job = start(office_admin)
    client.force_login(office_admin)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404  # not done yet


def test_the_job_page_query_count_does_not_grow_with_the_result(world, office_admin, client, django_assert_num_queries):
    small = start(office_admin)
    big = start(office_admin)
    run_queued_jobs()
    Job.objects.filter(pk=big.pk).update(result={"lines": [f"line {i}" for i in range(2000)]})
    client.force_login(office_admin)
    for job in (small, big):
        # 1 session, 2 user, 3 the job (the owner's only), 4 role grants (the office navigation's
        # context processor, also for the htmx poll of the status partial)
        with django_assert_num_queries(4):
            assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
        with django_assert_num_queries(4):
            client.get(reverse("jobs:detail", args=[job.pk]), headers={"HX-Request": "true"})


def test_the_list_and_the_office_home_show_the_users_recent_jobs(world, office_admin, community_staff, client):
    jobs = [start(office_admin, n=i) for i in range(7)]
    start(community_staff)
    assert [j.pk for j in recent_jobs(office_admin)] == [j.pk for j in reversed(jobs)][:5]
    client.force_login(office_admin)
    home = client.get(reverse("web:office-home")).content.decode()
    assert "Your recent jobs" in home and reverse("jobs:detail", args=[jobs[-1].pk]) in home
    assert reverse("jobs:detail", args=[jobs[0].pk]) not in home, "five at most"
    listing = client.get(reverse("jobs:list"))
    assert len(listing.context["page"].object_list) == 7


def test_jobs_whose_worker_died_are_marked_failed(world, office_admin, capsys):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    stalled, busy, fresh = start(office_admin), start(office_admin), start(office_admin)
    for job in (stalled, busy, fresh):
        services.job_begin(job_id=job.pk)
    long_ago = timezone.now() - dt.timedelta(hours=3)
    Job.objects.filter(pk__in=[stalled.pk, busy.pk]).update(started_at=long_ago)
    write_progress(busy.pk, stage="still writing", done=5, total=9)  # long, but alive
    call_command("fail_stalled_jobs", "--minutes", "120")
    assert "1 stalled job(s) marked failed." in capsys.readouterr().out
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {stalled.pk: "failed", busy.pk: "running", fresh.pk: "running"}
    stalled.refresh_from_db()
    assert "stopped before it ended" in stalled.error
    assert services.job_retry(job=stalled, by=office_admin).status == Job.Status.QUEUED
