"""Office pages for organizations: access per persona, filters, sort, pagination, htmx, forms,
transitions and pinned query counts."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.core.tests.built_once import built_once
from sifu.core.validators import uscc_check_char
from sifu.privacy.models import SensitiveView
from sifu.registry import services
from sifu.registry.models import Membership, Organization, OrganizationStatusChange
from sifu.registry.tests.factories import make_organization, make_person

LIST = reverse("registry:organization-list")


def detail(org: Organization) -> str:
    return reverse("registry:organization-detail", args=[org.pk])


def transition(org: Organization, action: str) -> str:
    return reverse("registry:organization-transition", args=[org.pk, action])


def seen(org: Organization, **data) -> dict:
    """A transition form's data with the state its page showed, as the page posts it."""
    return {"seen": org.status, "seen_legal_status": org.legal_status, **data}


@pytest.fixture
def client(client):
    """Pages in the source language, whatever catalogue is installed."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def listed(response) -> list[str]:
    return [org.name for org in response.context["page"].object_list]


# Access ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, world):
    for url in (
        LIST,
        detail(world.org_a),
        reverse("registry:organization-create"),
        transition(world.org_a, "dissolve"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["outsider", "org_member", "reviewer"], indirect=True)
def test_users_without_the_permission_get_403_on_the_list(client, persona):
    assert login(client, persona).get(LIST).status_code == 403


def test_community_staff_sees_only_their_community(client, world, community_staff):
    response = login(client, community_staff).get(LIST)
    assert response.status_code == 200
    assert listed(response) == [world.org_a.name]
    assert client.get(detail(world.org_a)).status_code == 200
    assert client.get(detail(world.org_b)).status_code == 404
    assert client.get(detail(world.org_other)).status_code == 404


def test_other_staff_cannot_open_org_a(client, world, other_staff):
    login(client, other_staff)
    assert listed(client.get(LIST)) == [world.org_b.name]
    assert client.get(detail(world.org_a)).status_code == 404
    assert client.get(reverse("registry:organization-edit", args=[world.org_a.pk])).status_code == 404
    assert client.post(transition(world.org_a, "dissolve"), {"reason": "x", "on": "2024-01-01"}).status_code == 404
    world.org_a.refresh_from_db()
    assert world.org_a.status == Organization.Status.ACTIVE


def test_org_leader_sees_and_edits_only_their_organization(client, world, org_leader):
    login(client, org_leader)
    assert listed(client.get(LIST)) == [world.org_a.name]
    assert client.get(detail(world.org_b)).status_code == 404
    assert client.get(reverse("registry:organization-edit", args=[world.org_a.pk])).status_code == 200
    # visible, but status changes and new organizations belong to staff
    assert client.get(transition(world.org_a, "make_dormant")).status_code == 403
    assert client.get(reverse("registry:organization-create")).status_code == 403
    page = client.get(detail(world.org_a)).content.decode()
    assert transition(world.org_a, "make_dormant") not in page


def test_read_only_leader_sees_the_subdistricts_but_cannot_change(client, world, district_leader):
    login(client, district_leader)
    assert set(listed(client.get(LIST))) == {world.org_a.name, world.org_b.name, world.org_other.name}
    assert client.get(reverse("registry:organization-edit", args=[world.org_a.pk])).status_code == 403
    assert client.get(transition(world.org_a, "dissolve")).status_code == 403


def test_unknown_transition_is_404(client, world, office_admin):
    assert login(client, office_admin).get(transition(world.org_a, "explode")).status_code == 404


# List: filters, sort, pagination, htmx ----------------------------------------------------


@built_once
def many(world):
    """Organizations of community A in several states."""
    a = world.community_a
    proposed = make_organization(a, "拟成立读书会", members=2)
    branch = make_organization(
        a,
        "党支部服务站",
        members=3,
        filed=True,
        category=Organization.Category.CHARITY,
        party_branch_name="服务站党支部",
        party_branch_founded_on=dt.date(2021, 1, 1),
    )
    services.membership_add(
        organization=branch,
        person=make_person(party=True, community=a),
        joined_on=dt.date(2021, 2, 1),
        by=system_actor(),
    )
    fresh = make_organization(a, "新备案舞蹈队", members=2, filed=True, on=timezone.localdate())
    return {"proposed": proposed, "branch": branch, "fresh": fresh}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "charity"}, ["党支部服务站"]),
        ({"nature": "association"}, ["荔芳食品安全自治会"]),
        ({"legal_status": "unfiled"}, ["拟成立读书会"]),
        ({"status": "incubating"}, ["拟成立读书会"]),
        ({"status": "active", "q": "舞蹈"}, ["新备案舞蹈队"]),
        ({"party_branch": "yes"}, ["党支部服务站"]),
        ({"party_members": "yes"}, ["党支部服务站"]),
        ({"filing": "expiring"}, ["党支部服务站", "荔芳食品安全自治会"]),  # filed 2020; not the fresh one
        ({"q": "自治"}, ["荔芳食品安全自治会"]),
    ],
)
def test_list_filters(client, many, community_staff, query, expected):
    response = login(client, community_staff).get(LIST, query)
    assert listed(response) == expected


def test_community_filter_offers_only_communities_in_scope(client, world, community_staff, district_leader):
    response = login(client, community_staff).get(LIST)
    assert [c for c, _ in response.context["form"].fields["community"].choices][1:] == [world.community_a.pk]
    # a community outside the scope is not a valid choice: the filter is ignored, scope still applies
    response = client.get(LIST, {"community": world.community_b.pk})
    assert listed(response) == [world.org_a.name]
    login(client, district_leader)
    assert listed(client.get(LIST, {"community": world.community_b.pk})) == [world.org_b.name]


def test_empty_state_when_nothing_matches(client, world, community_staff):
    response = login(client, community_staff).get(LIST, {"q": "不存在的组织"})
    assert response.status_code == 200
    assert "No organization matches these filters." in response.content.decode()


def test_sorting_by_column_and_direction(client, many, community_staff):
    login(client, community_staff)
    by_members = client.get(LIST, {"sort": "-members"})
    assert listed(by_members)[0] == "荔芳食品安全自治会"
    counts = [o.member_count for o in by_members.context["page"].object_list]
    assert counts == sorted(counts, reverse=True)
    ascending = [o.member_count for o in client.get(LIST, {"sort": "members"}).context["page"].object_list]
    assert ascending == sorted(ascending)
    # the sorted column's header link flips the direction and keeps the filters
    response = client.get(LIST, {"sort": "members", "status": "active"})
    assert response.context["sort_links"]["members"]["url"] == "?sort=-members&status=active"
    assert response.context["sort_links"]["name"]["url"] == "?sort=name&status=active"


def test_pagination_keeps_the_filters(client, world, community_staff, settings):
    settings.PAGE_SIZE = 2
    for i in range(4):
        make_organization(world.community_a, f"分页组织{i}")
    login(client, community_staff)
    first = client.get(LIST, {"legal_status": "unfiled", "sort": "name"})
    assert listed(first) == ["分页组织0", "分页组织1"]
    assert first.context["page"].paginator.num_pages == 2
    assert "?legal_status=unfiled&amp;sort=name&amp;page=2" in first.content.decode()
    second = client.get(LIST, {"legal_status": "unfiled", "sort": "name", "page": 2})
    assert listed(second) == ["分页组织2", "分页组织3"]
    assert listed(client.get(LIST, {"legal_status": "unfiled", "sort": "name", "page": 99})) == listed(second)


def test_htmx_request_gets_only_the_results(client, world, community_staff):
    login(client, community_staff)
    full = client.get(LIST, {"q": "荔芳"})
    partial = client.get(LIST, {"q": "荔芳"}, HTTP_HX_REQUEST="true")
    assert b"<html" in full.content and b"<html" not in partial.content
    assert b'id="org-results"' in partial.content and world.org_a.name.encode() in partial.content
    assert b'id="org-filters"' not in partial.content
    assert "HX-Request" in partial["Vary"]


def test_export_button_only_for_users_who_may_export(client, world, community_staff, org_leader):
    page = login(client, community_staff).get(LIST, {"q": "荔芳", "page": 1}).content.decode()
    assert reverse("registry:organization-export") + "?q=%E8%8D%94%E8%8A%B3" in page
    page = login(client, org_leader).get(LIST).content.decode()
    assert reverse("registry:organization-export") not in page


# Query counts -----------------------------------------------------------------------------


def test_list_query_count_is_pinned_and_does_not_grow(client, world, community_staff, django_assert_num_queries):
    login(client, community_staff)

    def check():
        # 1 session, 2 user, 3 the user's role grants (scope), 4 community choices of the filter,
        # 5 COUNT for the paginator, 6 one page of organizations with member and party-member
        # counts as subqueries.
        with django_assert_num_queries(6):
            response = client.get(LIST, {"sort": "-members"})
        assert response.status_code == 200
        return response

    assert len(listed(check())) == 1
    for i in range(30):
        org = make_organization(world.community_a, members=3, filed=bool(i % 3))
        services.membership_add(
            organization=org, person=make_person(party=True), joined_on=dt.date(2021, 1, 1), by=system_actor()
        )
    assert len(listed(check())) == 25


def test_detail_query_count_is_pinned_and_does_not_grow(
    client, world, community_staff, office_admin, django_assert_num_queries
):
    login(client, community_staff)
    org = world.org_a

    def check():
        # 1 session, 2 user, 3 role grants, 4 the organization (with community and instructor),
        # 5 organization versions, 6 membership versions (with people), 7 lifecycle log,
        # 8 member figures (one aggregate), 9 current members (with people), 10 the filing panel's
        # request (incubation's {% filing_panel %}: the open or latest one).
        with django_assert_num_queries(10):
            response = client.get(detail(org))
        assert response.status_code == 200
        return response

    check()
    for _ in range(20):
        services.membership_add(
            organization=org, person=make_person(party=True), joined_on=dt.date(2022, 1, 1), by=system_actor()
        )
    for m in Membership.objects.filter(organization=org, role=Membership.Role.MEMBER)[:5]:
        services.membership_change_role(membership=m, role=Membership.Role.BACKBONE, by=office_admin)
    for i in range(5):
        services.organization_update(organization=org, data={"venue": f"场地{i}"}, by=office_admin)
    services.organization_make_dormant(organization=org, reason="暂停", on=dt.date(2024, 1, 1), by=office_admin)
    services.organization_reactivate(organization=org, on=dt.date(2024, 2, 1), by=office_admin)
    response = check()
    assert response.context["members"]["members"] == 32


# Detail -----------------------------------------------------------------------------------


def test_detail_shows_members_masked_party_building_and_timeline(client, world, community_staff):
    org = world.org_a
    leader = Membership.objects.get(organization=org, role=Membership.Role.LEADER, left_on__isnull=True).person
    services.organization_make_dormant(
        organization=org, reason="负责人外出务工", on=dt.date(2024, 1, 1), by=community_staff
    )
    page = login(client, community_staff).get(detail(org)).content.decode()
    assert leader.name in page
    assert leader.phone not in page
    assert f"{leader.phone[:3]}****{leader.phone[-4:]}" in page
    assert "Leader is a party member" in page
    assert "负责人外出务工" in page  # the reason, from the lifecycle log
    assert "Marked dormant" in page and "effective 2024-01-01" in page
    assert "Filing recorded" in page
    assert "12 members" in page  # founding members folded into one timeline entry
    assert str(community_staff) in page
    # only the transitions allowed from "dormant" are offered; a filed organization ends by a
    # deregistration request, so community staff are not offered "dissolve" (the subdistrict is)
    assert transition(org, "reactivate") in page and transition(org, "dissolve") not in page
    assert transition(org, "make_dormant") not in page


def test_a_filed_organization_is_dissolved_by_the_subdistrict_only(client, world, community_staff, office_admin):
    org = world.org_a
    assert login(client, community_staff).post(transition(org, "dissolve"), {"reason": "解散"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.organization_dissolve(organization=org, reason="解散", by=community_staff)
    org.refresh_from_db()
    assert org.status == Organization.Status.ACTIVE
    page = login(client, office_admin).get(detail(org)).content.decode()
    assert transition(org, "dissolve") in page


def test_detail_warns_about_an_expired_filing(client, world, community_staff):
    page = login(client, community_staff).get(detail(world.org_a)).content.decode()
    assert "The filing expired on 2022-12-31" in page


def _register(org: Organization) -> Organization:
    code = "51440305MJL00007" + str(org.pk % 10)
    code += uscc_check_char(code)
    return services.organization_register(
        organization=org, uscc=code, registered_on=dt.date(2023, 6, 1), by=system_actor()
    )


def test_a_registered_organization_is_not_flagged_filing_expired(client, world, community_staff):
    """org A's filing ran out on 2022-12-31, but it is registered now: no warning anywhere."""
    _register(world.org_a)
    login(client, community_staff)
    response = client.get(detail(world.org_a))
    page = response.content.decode()
    assert response.context["filing_warning"] == ""
    assert "The filing expired" not in page and ">expired<" not in page
    assert "filing superseded by the registration" in page
    listing = client.get(LIST)
    assert [o.filing_warning for o in listing.context["page"].object_list] == [""]
    assert 'data-filing="expired"' not in listing.content.decode()
    assert listed(client.get(LIST, {"filing": "expiring"})) == []
    home = client.get(reverse("web:office-home"))
    assert home.context["summary"]["filing_expiring"] == 0


def test_list_flags_an_expired_filing_of_a_filed_organization(client, world, community_staff):
    page = login(client, community_staff).get(LIST).content.decode()
    assert 'data-filing="expired"' in page


@pytest.mark.parametrize(
    ("persona", "members", "admins"),
    [
        ("community_staff", True, True),
        ("office_admin", True, True),
        ("org_leader", True, False),
        ("district_leader", True, False),
    ],
    indirect=["persona"],
)
def test_detail_links_to_members_and_admins(client, world, persona, members, admins):
    org = world.org_a
    response = login(client, persona).get(detail(org))
    page = response.content.decode()
    members_url = reverse("registry:organization-members", args=[org.pk])
    admins_url = reverse("registry:organization-admins", args=[org.pk])
    assert (f'href="{members_url}"' in page) is members
    assert (f'href="{admins_url}"' in page) is admins
    # Each link leads to a page the user may open.
    assert client.get(members_url).status_code == 200
    assert client.get(admins_url).status_code == (200 if admins else 403)


# Create and edit --------------------------------------------------------------------------


def create_data(community, **overrides):
    data = {
        "name": "荔芳长者饭堂志愿队",
        "community": community.pk,
        "form": "team",
        "nature": "service",
        "category": "life",
        "venue": "荔芳社区党群服务中心",
        "founded_on": "2024-03-01",
    }
    return {**data, **overrides}


def test_create_records_a_proposed_organization(client, world, community_staff):
    response = login(client, community_staff).post(
        reverse("registry:organization-create"), create_data(world.community_a)
    )
    org = Organization.objects.get(name="荔芳长者饭堂志愿队")
    assert response.status_code == 302 and response["Location"] == detail(org)
    assert org.status == Organization.Status.PROPOSED and org.community == world.community_a
    assert org.history.get().history_user == community_staff


def test_create_offers_and_accepts_only_communities_where_the_user_may_create(client, world, community_staff):
    login(client, community_staff)
    form = client.get(reverse("registry:organization-create")).context["form"]
    assert list(form.fields["community"].queryset) == [world.community_a]
    response = client.post(reverse("registry:organization-create"), create_data(world.community_b))
    assert response.status_code == 200 and "community" in response.context["form"].errors
    assert not Organization.objects.filter(name="荔芳长者饭堂志愿队").exists()


def test_create_refuses_a_duplicate_name_and_writes_nothing(client, world, community_staff):
    count = Organization.objects.count()
    response = login(client, community_staff).post(
        reverse("registry:organization-create"), create_data(world.community_a, name=world.org_a.name)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"] or response.context["form"].errors["name"]
    assert Organization.objects.count() == count


def edit_data(org, **overrides):
    data = {
        "name": org.name,
        "form": org.form,
        "nature": org.nature,
        "category": org.category,
        "venue": org.venue,
        "purpose": org.purpose,
        "party_instructor": org.party_instructor_id or "",
    }
    return {**data, **overrides}


def test_edit_saves_through_the_service_with_history(client, world, community_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org = world.org_a
    charter = SimpleUploadedFile("章程.pdf", b"%PDF-1.4 charter", content_type="application/pdf")
    response = login(client, community_staff).post(
        reverse("registry:organization-edit", args=[org.pk]),
        edit_data(org, purpose="守护食品安全", party_clause_in_charter="on", charter_file=charter),
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.purpose == "守护食品安全" and org.party_clause_in_charter and org.charter_file.name.endswith(".pdf")
    latest = org.history.first()
    assert latest.history_change_reason == "registry.organization.updated" and latest.history_user == community_staff


def test_edit_refuses_an_oversized_charter_with_a_clear_message(client, world, community_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SIFU_MAX_UPLOAD_BYTES = 1024
    org = world.org_a
    big = SimpleUploadedFile("章程.pdf", b"x" * 4096, content_type="application/pdf")
    response = login(client, community_staff).post(
        reverse("registry:organization-edit", args=[org.pk]), edit_data(org, purpose="改了", charter_file=big)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["charter_file"]
    assert "4.0\xa0KB" in errors[0] and "up to 1.0\xa0KB" in errors[0]
    org.refresh_from_db()
    assert org.purpose != "改了" and not org.charter_file


def test_edit_refuses_a_branch_without_its_founding_date(client, world, community_staff):
    org = world.org_a
    response = login(client, community_staff).post(
        reverse("registry:organization-edit", args=[org.pk]), edit_data(org, party_branch_name="自治会党支部")
    )
    assert response.status_code == 200
    assert "party_branch_founded_on" in response.context["form"].errors
    org.refresh_from_db()
    assert org.party_branch_name == ""


def test_instructor_is_found_by_search_and_saved(client, world, community_staff):
    org = world.org_a
    instructor = make_person("李指导员", community=world.community_a, party=True, phone="13700001234")
    make_person("李外区", community=world.community_b)
    login(client, community_staff)
    options = client.get(
        reverse("registry:organization-instructor-options", args=[org.pk]), {"instructor_search": "李"}
    ).content.decode()
    assert "李指导员" in options and "137****1234" in options
    assert "李外区" not in options  # outside the user's scope
    assert "13700001234" not in options
    # without JavaScript: the Find button re-renders the form with the matches, saving nothing
    response = client.post(
        reverse("registry:organization-edit", args=[org.pk]), edit_data(org, instructor_search="1234", _find="1")
    )
    assert response.status_code == 200 and "李指导员" in response.content.decode()
    response = client.post(
        reverse("registry:organization-edit", args=[org.pk]), edit_data(org, party_instructor=instructor.pk)
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.party_instructor == instructor


def test_instructor_outside_scope_is_refused(client, world, community_staff):
    stranger = make_person("外区居民", community=world.community_b)
    org = world.org_a
    response = login(client, community_staff).post(
        reverse("registry:organization-edit", args=[org.pk]), edit_data(org, party_instructor=stranger.pk)
    )
    assert response.status_code == 200 and "party_instructor" in response.context["form"].errors
    org.refresh_from_db()
    assert org.party_instructor is None


# Transitions ------------------------------------------------------------------------------


def test_file_form_suggests_a_number_and_shows_the_checklist(client, world, office_admin):
    org = make_organization(world.community_a, nature=Organization.Nature.ASSOCIATION, members=4)
    response = login(client, office_admin).get(transition(org, "file"))
    year = timezone.localdate().year
    assert response.context["form"].initial["filing_number"] == f"南山街备〔{year}〕001号"
    checklist = {item.code: item.ok for item in response.context["checklist"]}
    assert checklist == {"name": True, "venue": True, "initiators": True, "members": False, "leader": True}
    assert "✗" in response.content.decode()


def test_filing_below_the_floor_is_refused_with_the_reason_and_nothing_saved(client, world, office_admin):
    org = make_organization(world.community_a, nature=Organization.Nature.ASSOCIATION, members=4)
    changes = OrganizationStatusChange.objects.count()
    response = login(client, office_admin).post(
        transition(org, "file"), seen(org, filing_number="NS2024-0100", filed_on="2024-03-01")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cannot file yet" in page and "At least 10 members" in page and "Nothing was changed" in page
    org.refresh_from_db()
    assert org.legal_status == Organization.LegalStatus.UNFILED and org.filing_number is None
    assert OrganizationStatusChange.objects.count() == changes


def test_filing_that_meets_the_floor_is_recorded(client, world, office_admin):
    org = make_organization(world.community_a, members=2)  # service-type: 2 initiators, 2 staff
    response = login(client, office_admin).post(
        transition(org, "file"), seen(org, filing_number="NS2024-0100", filed_on="2024-03-01")
    )
    assert response.status_code == 302 and response["Location"] == detail(org)
    org.refresh_from_db()
    assert org.status == Organization.Status.ACTIVE and org.legal_status == Organization.LegalStatus.FILED
    assert org.filing_valid_until == dt.date(2027, 2, 28)
    assert org.history.first().history_user == office_admin


def test_duplicate_filing_number_is_shown_by_the_field(client, world, office_admin):
    org = make_organization(world.community_a, members=2)
    response = login(client, office_admin).post(
        transition(org, "file"), seen(org, filing_number=world.org_a.filing_number, filed_on="2024-03-01")
    )
    assert "already used" in response.context["form"].errors["filing_number"][0]


def test_community_staff_cannot_record_a_filing_directly(client, world, community_staff):
    """New filings go through the filing workflow; the direct "Record filing" is the subdistrict's."""
    org = make_organization(world.community_a, members=2)
    login(client, community_staff)
    assert "/transition/file/" not in client.get(detail(org)).content.decode()
    assert client.get(transition(org, "file")).status_code == 403
    response = client.post(transition(org, "file"), seen(org, filing_number="NS2024-0100", filed_on="2024-03-01"))
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.legal_status == Organization.LegalStatus.UNFILED


def test_register_refuses_a_bad_code(client, world, community_staff):
    response = login(client, community_staff).post(
        transition(world.org_a, "register"), seen(world.org_a, uscc="51440305MJL0000710", registered_on="2024-03-01")
    )
    assert response.status_code == 200 and response.context["form"].errors["uscc"]
    world.org_a.refresh_from_db()
    assert world.org_a.legal_status == Organization.LegalStatus.FILED


def test_dormant_needs_a_reason_then_works(client, world, community_staff):
    login(client, community_staff)
    response = client.post(transition(world.org_a, "make_dormant"), seen(world.org_a, on="2024-01-01", reason=""))
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(
        transition(world.org_a, "make_dormant"), seen(world.org_a, on="2024-01-01", reason="暂停活动")
    )
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.status == Organization.Status.DORMANT
    change = world.org_a.status_changes.latest("id")
    assert (change.reason, change.effective_on, change.created_by) == ("暂停活动", dt.date(2024, 1, 1), community_staff)


def test_transition_from_a_state_that_changed_meanwhile_is_refused(client, world, community_staff, office_admin):
    """Two people open the form; the second one's submit meets the new state and is refused."""
    login(client, community_staff)
    assert client.get(transition(world.org_a, "make_dormant")).status_code == 200
    page = seen(world.org_a, on="2024-02-01", reason="暂停")  # what the form carries: active, filed
    services.organization_dissolve(organization=world.org_a, reason="合并", on=dt.date(2024, 1, 1), by=office_admin)
    response = client.post(transition(world.org_a, "make_dormant"), page)
    assert response.status_code == 200
    assert "not possible while the organization is Dissolved" in response.content.decode()
    world.org_a.refresh_from_db()
    assert world.org_a.status == Organization.Status.DISSOLVED
    assert not world.org_a.status_changes.filter(action="registry.organization.made_dormant").exists()


def test_effective_date_before_the_last_change_is_refused(client, world, office_admin):
    response = login(client, office_admin).post(
        transition(world.org_a, "dissolve"), seen(world.org_a, on="2019-01-01", reason="解散")
    )
    assert "cannot be before the last status change" in response.content.decode()
    world.org_a.refresh_from_db()
    assert world.org_a.status == Organization.Status.ACTIVE


def test_start_incubation(client, world, community_staff):
    org = make_organization(world.community_a)
    response = login(client, community_staff).post(transition(org, "start_incubation"), seen(org, on="2024-01-01"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == Organization.Status.INCUBATING


def test_the_transition_form_carries_the_state_its_page_showed(client, world, community_staff):
    page = login(client, community_staff).get(transition(world.org_a, "make_dormant")).content.decode()
    assert '<input type="hidden" name="seen" value="active">' in page
    assert '<input type="hidden" name="seen_legal_status" value="filed">' in page


def test_a_transition_posted_without_the_state_its_page_showed_is_refused(client, world, community_staff):
    """A form from an old page (or made by hand) does not say what it was made on: nothing changes."""
    response = login(client, community_staff).post(
        transition(world.org_a, "make_dormant"), {"on": "2024-01-01", "reason": "暂停活动"}
    )
    assert response.status_code == 200
    assert "This form is out of date or incomplete. Reload the page" in response.content.decode()
    world.org_a.refresh_from_db()
    assert world.org_a.status == Organization.Status.ACTIVE


def test_a_transition_from_a_page_whose_state_changed_is_refused_even_if_still_possible(
    client, world, community_staff, office_admin
):
    """The page showed active and filed; meanwhile it was registered: dormancy is still possible,
    but the person decided on what they saw, so they are told to reload."""
    page = seen(world.org_a, on="2024-03-01", reason="暂停")
    services.organization_register(
        organization=world.org_a, uscc="51440305MJL000071L", registered_on=dt.date(2024, 2, 1), by=office_admin
    )
    response = login(client, community_staff).post(transition(world.org_a, "make_dormant"), page)
    assert "This organization changed since you opened the page" in response.content.decode()
    world.org_a.refresh_from_db()
    assert world.org_a.status == Organization.Status.ACTIVE


# Export -----------------------------------------------------------------------------------


EXPORT = reverse("registry:organization-export")


def test_export_needs_the_export_permission(client, world, org_leader):
    assert login(client, org_leader).get(EXPORT).status_code == 403


def test_unmasked_export_needs_the_sensitive_permission(client, world, district_leader):
    assert login(client, district_leader).get(EXPORT, {"unmasked": "1"}).status_code == 403
    assert not SensitiveView.objects.exists()


def cells(response) -> list[str]:
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    return [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]


def test_export_of_the_filtered_list_is_masked_unless_asked(client, world, community_staff):
    pytest.importorskip("sifu.registry.exports")
    phone = Membership.objects.get(organization=world.org_a, role=Membership.Role.LEADER).person.phone
    login(client, community_staff)
    response = client.get(EXPORT, {"q": "荔芳", "status": "active"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    values = cells(response)
    assert world.org_a.name in values and phone not in values and f"{phone[:3]}****{phone[-4:]}" in values
    assert not SensitiveView.objects.exists()
    response = client.get(EXPORT, {"q": "荔芳", "unmasked": "1"})
    assert response.status_code == 200 and phone in cells(response)
    logged = SensitiveView.objects.get(user=community_staff, field=SensitiveView.Field.EXPORT)
    assert "unmasked=1" in logged.context


def test_export_covers_only_the_users_scope(client, world, community_staff):
    pytest.importorskip("sifu.registry.exports")
    values = cells(login(client, community_staff).get(EXPORT))
    assert world.org_a.name in values and world.org_b.name not in values


# Charter downloads ----------------------------------------------------------------------------


@pytest.fixture
def charter(world, settings, tmp_path):
    """org A with an uploaded charter (stored under a temporary MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("章程.pdf", b"%PDF-1.4 the charter", content_type="application/pdf")
    services.organization_update(
        organization=world.org_a, data={"charter_file": upload, "party_clause_in_charter": True}, by=system_actor()
    )
    world.org_a.refresh_from_db()
    return reverse("registry:organization-charter", args=[world.org_a.pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("office_admin", 200),
        ("community_staff", 200),
        ("org_leader", 200),
        ("district_leader", 200),
        ("other_staff", 404),
        ("outsider", 403),
        ("org_member", 403),
    ],
    indirect=["persona"],
)
def test_charter_download_per_persona(client, charter, persona, status):
    response = login(client, persona).get(charter)
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == b"%PDF-1.4 the charter"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        # The Chinese name, percent-encoded as RFC 6266 asks: 荔芳食品安全自治会-章程.pdf
        assert "filename*=utf-8''" in disposition
        assert quote("荔芳食品安全自治会-章程.pdf") in disposition
        assert response["Content-Type"] == "application/pdf"


def test_charter_download_sends_anonymous_users_to_login(client, charter):
    response = client.get(charter)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_charter_download_without_a_charter_is_404(client, world, community_staff):
    url = reverse("registry:organization-charter", args=[world.org_a.pk])
    assert login(client, community_staff).get(url).status_code == 404


def test_pages_link_to_the_charter_view_never_to_the_media_file(client, world, charter, community_staff):
    media_url = world.org_a.charter_file.url
    login(client, community_staff)
    for url in (detail(world.org_a), reverse("registry:organization-edit", args=[world.org_a.pk])):
        page = client.get(url).content.decode()
        assert f'href="{charter}"' in page
        assert media_url not in page
    public = client.get(reverse("registry:public-organization", args=[world.org_a.pk])).content.decode()
    assert "On file" in public and "党建入章" in public
    assert charter not in public and media_url not in public
