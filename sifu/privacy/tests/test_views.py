"""The office page of unmasked views: who may see it, what it shows (scope), filters, paging, export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from sifu.accounts.services import role_grant, role_revoke, system_actor
from sifu.accounts.tests.factories import UserFactory
from sifu.core.permissions import Role
from sifu.privacy import services
from sifu.privacy.models import SensitiveView
from sifu.privacy.selectors import PAGE_SIZE, sensitive_views_for_user
from sifu.registry.models import Membership, Person
from sifu.registry.tests.factories import make_person

LIST = reverse("privacy:view-list")
EXPORT = reverse("privacy:view-export")


def _resident(org) -> Person:
    """A current member of ``org`` who lives in its community."""
    membership = Membership.objects.filter(organization=org, left_on__isnull=True).select_related("person").first()
    assert membership is not None
    return membership.person


def _at(row: SensitiveView, when: dt.datetime) -> None:
    SensitiveView.objects.filter(pk=row.pk).update(at=timezone.make_aware(when))


@pytest.fixture
def outside_staff(world):
    """Staff of the other subdistrict's community (科技园社区)."""
    user = UserFactory(username="outside_staff", display_name="科技园社区工作人员")
    role_grant(user=user, role=Role.COMMUNITY_STAFF, area=world.other_community, by=system_actor())
    return user


@pytest.fixture
def log(world, community_staff, org_leader, outside_staff):
    """Rows in and out of 南山街道's scope, by name."""
    ours = _resident(world.org_a)
    theirs = _resident(world.org_other)
    superuser = UserFactory(username="root", display_name="系统管理员", is_superuser=True)
    rows = {
        "staff_reveals_resident": services.person_reveal(person=ours, field="phone", by=community_staff, context="/a/"),
        "leader_exports": services.unmasked_export_record(by=org_leader, context="organization list export"),
        "superuser_sees_resident": services.person_reveal(person=ours, field="id_number", by=superuser),
        "outside_reveals_theirs": services.person_reveal(person=theirs, field="phone", by=outside_staff),
        "outside_exports": services.unmasked_export_record(by=outside_staff, context="elsewhere"),
        "superuser_sees_theirs": services.person_reveal(person=theirs, field="phone", by=superuser),
    }
    # person_reveal returns the value seen: read the rows back in the order they were written.
    return dict(zip(rows, SensitiveView.objects.order_by("pk"), strict=True))


def _shown(response) -> str:
    return response.content.decode()


# Scope ------------------------------------------------------------------------------------


def test_scope_is_the_people_and_the_viewers_of_the_subdistrict(world, office_admin, log):
    seen = set(sensitive_views_for_user(office_admin))
    assert seen == {log["staff_reveals_resident"], log["leader_exports"], log["superuser_sees_resident"]}


def test_a_revoked_role_still_places_its_holder(world, office_admin, community_staff, log):
    row = services.unmasked_export_record(by=community_staff, context="before the revocation")
    role_revoke(grant=community_staff.grants.get(), by=system_actor())
    assert row in set(sensitive_views_for_user(office_admin))


def test_nobody_but_the_subdistrict_admin_sees_the_log(world, community_staff, org_leader, district_leader, log):
    for user in (community_staff, org_leader, district_leader):
        assert not sensitive_views_for_user(user).exists()


def test_a_superuser_sees_every_row(world, log):
    root = UserFactory(username="root2", is_superuser=True)
    assert sensitive_views_for_user(root).count() == len(log)


# The page ---------------------------------------------------------------------------------


def test_page_lists_who_saw_what_newest_first(client, world, office_admin, community_staff, log):
    _at(log["staff_reveals_resident"], dt.datetime(2026, 3, 1, 9, 30))
    _at(log["leader_exports"], dt.datetime(2026, 3, 2, 10, 0))
    _at(log["superuser_sees_resident"], dt.datetime(2026, 3, 3, 11, 0))
    client.force_login(office_admin)
    response = client.get(LIST)
    assert response.status_code == 200
    html = _shown(response)
    person = log["staff_reveals_resident"].person
    assert "荔芳社区工作人员" in html and person.name in html and "/a/" in html and "2026-03-01 09:30" in html
    assert "Unmasked export" in html and "organization list export" in html
    assert person.phone not in html  # a log of views, not of values
    assert "科技园社区工作人员" not in html and "elsewhere" not in html  # outside the scope
    assert html.index("2026-03-03 11:00") < html.index("2026-03-02 10:00") < html.index("2026-03-01 09:30")
    assert "3 views" in html


@pytest.mark.parametrize("persona", ["community_staff", "other_staff", "org_leader", "district_leader", "outsider"])
def test_page_and_export_are_refused_to_others(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_page_is_in_the_administration_menu_of_the_subdistrict_admin_only(client, world, office_admin, community_staff):
    client.force_login(office_admin)
    assert f'href="{LIST}"' in _shown(client.get(reverse("web:office-home")))
    client.force_login(community_staff)
    assert f'href="{LIST}"' not in _shown(client.get(reverse("web:office-home")))


def test_filter_by_viewer_person_and_dates(client, world, office_admin, community_staff, log):
    _at(log["staff_reveals_resident"], dt.datetime(2026, 3, 1, 23, 50))  # late evening, Asia/Shanghai
    _at(log["leader_exports"], dt.datetime(2026, 3, 2, 0, 10))
    _at(log["superuser_sees_resident"], dt.datetime(2026, 3, 5, 8, 0))
    client.force_login(office_admin)
    person = log["staff_reveals_resident"].person

    def rows(**query) -> set[int]:
        response = client.get(LIST, query)
        assert response.status_code == 200
        return {row.pk for row in response.context["page"].object_list}

    assert rows(viewer="community") == {log["staff_reveals_resident"].pk}  # login name, part of it
    assert rows(viewer="负责人") == {log["leader_exports"].pk}  # display name
    assert rows(person=person.name[1:]) == {log["staff_reveals_resident"].pk, log["superuser_sees_resident"].pk}
    assert rows(date_from="2026-03-02") == {log["leader_exports"].pk, log["superuser_sees_resident"].pk}
    assert rows(date_to="2026-03-01") == {log["staff_reveals_resident"].pk}  # the whole day, local time
    assert rows(date_from="2026-03-02", date_to="2026-03-02") == {log["leader_exports"].pk}
    assert rows(viewer="community", date_from="2026-03-02") == set()
    assert len(rows(date_from="not a date")) == 3  # an invalid filter is dropped, never an error page


def test_an_end_before_the_start_is_explained(client, world, office_admin, log):
    client.force_login(office_admin)
    response = client.get(LIST, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in _shown(response)


def test_empty_log_and_empty_filter_say_so(client, world, office_admin):
    client.force_login(office_admin)
    assert "Nobody has seen personal information unmasked" in _shown(client.get(LIST))
    assert "No view matches these filters." in _shown(client.get(LIST, {"person": "无此人"}))


def _views(n: int, user, person) -> None:
    SensitiveView.objects.bulk_create(
        SensitiveView(user=user, person=person, field="phone", context=f"/row/{i}/") for i in range(n)
    )


def test_page_query_count_does_not_grow_with_rows(
    client, world, office_admin, community_staff, org_leader, django_assert_num_queries
):
    client.force_login(office_admin)
    person = _resident(world.org_a)
    _views(3, community_staff, person)
    # session, user, the user's grants, the count, the page's rows with viewer and person joined
    with django_assert_num_queries(5):
        assert client.get(LIST).status_code == 200
    _views(40, org_leader, make_person(community=world.community_b))
    with django_assert_num_queries(5):
        assert client.get(LIST).status_code == 200


def test_page_is_paginated_and_keeps_the_filters(client, world, office_admin, community_staff):
    _views(PAGE_SIZE + 5, community_staff, _resident(world.org_a))
    client.force_login(office_admin)
    first = client.get(LIST, {"viewer": "community"})
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert "viewer=community&amp;page=2" in _shown(first)
    second = client.get(LIST, {"viewer": "community", "page": 2})
    assert len(second.context["page"].object_list) == 5


# Export -----------------------------------------------------------------------------------


def _cells(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_export_is_the_filtered_log_without_values(client, world, office_admin, log):
    _at(log["staff_reveals_resident"], dt.datetime(2026, 3, 1, 9, 30))
    client.force_login(office_admin)
    response = client.get(EXPORT)
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    rows = _cells(response)
    assert rows[0] == ["When", "Viewer", "Login name", "Person", "Field", "Where"]
    assert len(rows) == 1 + 3  # the rows in scope only
    person = log["staff_reveals_resident"].person
    assert ["2026-03-01 09:30:00", "荔芳社区工作人员", "community_staff", person.name, "Phone", "/a/"] in rows
    flat = " ".join(" ".join(row) for row in rows)
    assert person.phone not in flat and not (person.id_number and person.id_number in flat)
    assert "科技园社区工作人员" not in flat
    filtered = _cells(client.get(EXPORT, {"viewer": "org_leader"}))
    assert len(filtered) == 2 and filtered[1][4] == "Unmasked export" and filtered[1][3] == ""


def test_export_records_no_unmasked_view(client, world, office_admin, log):
    client.force_login(office_admin)
    before = SensitiveView.objects.count()
    client.get(EXPORT)
    assert SensitiveView.objects.count() == before


def test_a_large_export_becomes_a_job_for_its_owner(client, world, office_admin, log, settings, tmp_path):
    from sifu.jobs.models import Job
    from sifu.jobs.testing import run_queued_jobs

    settings.MEDIA_ROOT = tmp_path
    settings.SIFU_EXPORT_ROWS_AT_ONCE = 2  # three rows are in the admin's scope
    client.force_login(office_admin)
    response = client.get(EXPORT, {"field": "x", "page": "3"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == "privacy.export" and job.params["query"] == "field=x" and "(3 rows)" in job.label
    assert run_queued_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["rows"] == 3
    rows = _cells(client.get(reverse("jobs:download", args=[job.pk])))
    assert len(rows) == 1 + 3 and "科技园社区工作人员" not in str(rows)
