"""Office pages of the filing workflow: the queue (tabs, filters, overdue flags, pinned queries), a
request with only the decisions its viewer may take, new requests with uploads and their errors,
resubmission, scoped document downloads, the organization page's panel and the office home."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from sifu.incubation.models import Filing, FilingDocument, FilingEvent, IncubationCase
from sifu.incubation.services import filings as services
from sifu.incubation.tests.test_filings_services import (
    PDF,
    docs,
    filed_org,
    ready_org,
    stored_files,
    submit,
    through_precheck,
    upload,
)
from sifu.registry.models import Organization
from sifu.registry.tests.factories import make_organization

S = Filing.Status
K = Filing.Kind
LIST = reverse("incubation:filing-list")
HOME = reverse("web:office-home")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def client(client):
    """Pages in the source language, whatever catalogue is installed."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def detail(filing: Filing) -> str:
    return reverse("incubation:filing-detail", args=[filing.pk])


def step(filing: Filing, name: str) -> str:
    return reverse(f"incubation:filing-{name}", args=[filing.pk])


def seen(filing: Filing, **data) -> dict:
    return {"seen": filing.status, "seen_round": str(filing.round), **data}


def create(org: Organization, kind: str = "") -> str:
    url = reverse("incubation:filing-create", args=[org.pk])
    return f"{url}?kind={kind}" if kind else url


def org_page(org: Organization) -> str:
    return reverse("registry:organization-detail", args=[org.pk])


def file_fields(kind: str = K.INITIAL) -> dict:
    return {f"doc_{doc}": upload(f"{doc}.pdf") for doc in FilingDocument.REQUIRED[kind]}


# The queue ------------------------------------------------------------------------------------


def make_queue(world, community_staff, office_admin) -> dict[str, Filing]:
    """One request in each tab: awaiting the community (one overdue), the subdistrict, returned, decided."""
    today = timezone.localdate()
    long_ago = timezone.now() - dt.timedelta(days=20)
    waiting = submit(filed_org(world, valid_until=today + dt.timedelta(days=3)), K.RENEWAL, by=community_staff)
    late = submit(
        filed_org(world, valid_until=today - dt.timedelta(days=30)), K.RENEWAL, by=community_staff, at=long_ago
    )
    checked = through_precheck(
        submit(filed_org(world, valid_until=today), K.RENEWAL, by=community_staff), by=community_staff
    )
    returned = services.filing_return(
        filing=submit(filed_org(world, valid_until=today), K.RENEWAL, by=community_staff),
        reason="补材料",
        by=community_staff,
    )
    decided = services.filing_refuse(
        filing=submit(world.org_b, K.CHANGE, by=office_admin, changes={"venue": "南园社区新活动室"}),
        reason="场地证明无效",
        by=office_admin,
    )
    return {"waiting": waiting, "late": late, "checked": checked, "returned": returned, "decided": decided}


def test_queue_tabs_count_and_flag_overdue_requests(client, world, community_staff, office_admin):
    q = make_queue(world, community_staff, office_admin)
    response = login(client, community_staff).get(LIST)
    assert response.status_code == 200
    counts = {t["key"]: t["count"] for t in response.context["tabs"]}
    # community staff of A do not see org B's request
    assert counts == {"community": 2, "subdistrict": 1, "returned": 1, "overdue": 1, "decided": 0}
    assert response.context["tab"] == "community"  # their work first
    rows = list(response.context["page"].object_list)
    assert [f.pk for f in rows] == [q["late"].pk, q["waiting"].pk]  # most urgent first
    page = response.content.decode()
    assert page.count('data-overdue="1"') == 1 and "overdue" in page

    response = login(client, office_admin).get(LIST)
    assert response.context["tab"] == "subdistrict"
    response = client.get(LIST, {"tab": "overdue"})
    assert [f.pk for f in response.context["page"].object_list] == [q["late"].pk]
    response = client.get(LIST, {"tab": "decided"})
    assert [f.pk for f in response.context["page"].object_list] == [q["decided"].pk]
    assert "Refused" in response.content.decode()


def test_queue_filters_by_kind_and_community(client, world, community_staff, office_admin):
    q = make_queue(world, community_staff, office_admin)
    login(client, office_admin)
    response = client.get(LIST, {"tab": "decided", "kind": "renewal"})
    assert list(response.context["page"].object_list) == []
    response = client.get(LIST, {"tab": "decided", "kind": "change", "community": world.community_b.pk})
    assert [f.pk for f in response.context["page"].object_list] == [q["decided"].pk]
    counts = {t["key"]: t["count"] for t in response.context["tabs"]}
    assert counts["community"] == 0  # the filters apply to the counts too
    # The tab links keep the filters.
    assert all("kind=change" in t["url"] for t in response.context["tabs"])


def test_queue_is_refused_without_the_permission(client, world, outsider, org_member):
    for user in (outsider, org_member):
        assert login(client, user).get(LIST).status_code == 403


def test_queue_query_count_is_pinned_and_does_not_grow(
    client, world, community_staff, office_admin, django_assert_num_queries
):
    login(client, office_admin)

    def check():
        # 1 session, 2 user, 3 role grants, 4 tab counts (one aggregate), 5 the page's count,
        # 6 the page's requests (with organization, community, submitter), 7 communities for the filter
        with django_assert_num_queries(7):
            response = client.get(LIST, {"tab": "community"})
        assert response.status_code == 200
        return response

    submit(filed_org(world, valid_until=timezone.localdate()), K.RENEWAL, by=community_staff)
    assert len(check().context["page"].object_list) == 1
    for i in range(12):
        org = filed_org(world, valid_until=timezone.localdate(), name=f"续期组织{i}")
        submit(org, K.RENEWAL, by=community_staff, at=timezone.now() - dt.timedelta(days=i * 2))
    assert len(check().context["page"].object_list) == 13


# A request ------------------------------------------------------------------------------------


def test_detail_offers_the_community_check_to_community_staff_only(client, world, community_staff, district_leader):
    filing = submit(ready_org(world), by=community_staff, statement="申请备案")
    response = login(client, community_staff).get(detail(filing))
    assert response.status_code == 200
    can = response.context["can"]
    assert can["precheck"] and can["return"] and not can["approve"] and can["withdraw"]
    page = response.content.decode()
    assert step(filing, "precheck") in page and step(filing, "approve") not in page
    assert 'name="seen" value="submitted"' in page and 'name="seen_round" value="1"' in page
    assert "申请备案" in page
    response = login(client, district_leader).get(detail(filing))
    assert not response.context["any_action"]
    assert "<form" not in response.content.decode().split('id="request"')[0].split("</h1>")[1]


def test_detail_shows_documents_by_round_and_the_steps(client, world, community_staff, office_admin):
    filing = submit(ready_org(world), by=community_staff)
    filing = services.filing_return(filing=filing, reason="章程缺页", by=community_staff)
    services.filing_resubmit(
        filing=filing, documents=[(FilingDocument.Kind.CHARTER, upload("章程-完整版.pdf"))], by=community_staff
    )
    response = login(client, office_admin).get(detail(filing))
    rounds = response.context["rounds"]
    assert [r for r, _docs in rounds] == [2, 1]
    assert [d.original_name for d in rounds[0][1]] == ["章程-完整版.pdf"]
    page = response.content.decode()
    assert "章程-完整版.pdf" in page and reverse("incubation:filing-document", args=[rounds[0][1][0].pk]) in page
    assert "/media/" not in page  # documents are never linked by their public media URL
    assert [e.action for e in response.context["events"]] == ["submitted", "returned", "resubmitted"]
    assert "章程缺页" in page


def test_detail_shows_requested_changes_before_and_after(client, world, org_leader):
    filing = submit(world.org_a, K.CHANGE, by=org_leader, changes={"venue": "荔芳社区二楼", "venue_kind": "dedicated"})
    response = login(client, org_leader).get(detail(filing))
    rows = {c["name"]: (c["before"], c["after"]) for c in response.context["changes"]}
    assert rows["venue"] == ("社区党群服务中心", "荔芳社区二楼")
    assert rows["venue_kind"] == ("", "Dedicated venue")  # choices by their label
    page = response.content.decode()
    assert "荔芳社区二楼" in page and "<del" in page


def test_precheck_and_approval_through_the_pages(client, world, community_staff, office_admin):
    org = ready_org(world)
    filing = submit(org, by=community_staff)
    response = login(client, community_staff).post(step(filing, "precheck"), seen(filing, **{"precheck-note": "齐全"}))
    assert response.status_code == 302 and response["Location"] == detail(filing)
    filing.refresh_from_db()
    assert filing.status == S.PRECHECKED and filing.events.last().note == "齐全"

    response = login(client, office_admin).get(detail(filing))
    year = timezone.localdate().year
    assert response.context["approve_form"].initial["filing_number"] == f"南山街备〔{year}〕001号"
    response = client.post(step(filing, "approve"), seen(filing, filing_number=f"NS{year}-0001", note=""))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.filing_number == f"NS{year}-0001" and org.legal_status == Organization.LegalStatus.FILED
    page = client.get(detail(filing)).content.decode()
    assert f"Approved: {org.name} is filed as NS{year}-0001" in page
    assert Organization.objects.public().filter(pk=org.pk).exists()


def test_refusals_show_the_message_and_save_nothing(client, world, community_staff, office_admin):
    filing = submit(ready_org(world), by=community_staff)
    events = FilingEvent.objects.count()
    login(client, office_admin)
    response = client.post(step(filing, "refuse"), seen(filing, **{"refuse-reason": ""}))
    assert response.status_code == 400 and "Give the reason for refusing" in response.content.decode()
    response = client.post(step(filing, "approve"), seen(filing))
    assert response.status_code == 400 and "cannot be approved" in response.content.decode()
    response = client.post(step(filing, "precheck"), {})  # no page state
    assert response.status_code == 400 and "Reload the page" in response.content.decode()
    assert "Nothing was saved." in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == S.SUBMITTED and FilingEvent.objects.count() == events


def test_a_decision_from_a_stale_page_is_refused_with_the_reason(client, world, community_staff, office_admin):
    filing = submit(ready_org(world), by=community_staff)
    stale = seen(filing, **{"return-reason": "补材料"})
    through_precheck(filing, by=community_staff)
    response = login(client, community_staff).post(step(filing, "return"), stale)
    assert response.status_code == 400
    assert "Someone else decided this request meanwhile" in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == S.PRECHECKED


def test_the_checker_is_told_someone_else_decides(client, world, office_admin):
    filing = through_precheck(submit(ready_org(world), by=office_admin), by=office_admin)
    response = login(client, office_admin).get(detail(filing))
    assert not response.context["can"]["approve"] and response.context["checked_it"]
    assert "someone else at the subdistrict decides it" in response.content.decode()
    response = client.post(step(filing, "approve"), seen(filing, filing_number="", note=""))
    assert response.status_code == 400 and "someone else at the subdistrict" in response.content.decode()


def test_staff_who_check_see_withdraw_only_on_their_own_submissions(client, world, org_leader, community_staff):
    theirs = submit(world.org_a, K.RENEWAL, by=org_leader)
    response = login(client, community_staff).get(detail(theirs))
    assert response.context["can"]["precheck"] and not response.context["can"]["withdraw"]
    assert step(theirs, "withdraw") not in response.content.decode()
    response = login(client, org_leader).get(detail(theirs))
    assert response.context["can"]["withdraw"] and not response.context["can"]["precheck"]


def test_withdraw_by_the_applicant(client, world, org_leader):
    filing = submit(world.org_a, K.RENEWAL, by=org_leader)
    response = login(client, org_leader).post(step(filing, "withdraw"), seen(filing))
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == S.WITHDRAWN


# New requests ---------------------------------------------------------------------------------


def test_the_chooser_says_why_each_kind_is_or_is_not_possible(client, world, org_leader):
    response = login(client, org_leader).get(create(world.org_a))
    kinds = {k["kind"]: k["problem"] for k in response.context["kinds"]}
    assert "already Filed" in kinds["initial"]
    assert kinds["renewal"] is None and kinds["change"] is None and kinds["deregistration"] is None
    assert "?kind=renewal" in response.content.decode()


def test_first_filing_form_shows_the_checklist_and_refuses_what_is_missing(client, world, community_staff):
    org = make_organization(world.community_a, "筹备中的协会", nature=Organization.Nature.ASSOCIATION, members=4)
    login(client, community_staff)
    response = client.get(create(org, K.INITIAL))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-check="members"' in page and "The filing cannot be submitted yet" in page
    assert 'enctype="multipart/form-data"' not in page  # no form until the checklist is complete
    response = client.post(create(org, K.INITIAL), {"statement": "试试", **file_fields()})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Cannot submit the filing yet" in errors and "At least 10 members" in errors
    assert not Filing.objects.filter(organization=org).exists()


def test_first_filing_submitted_from_the_form(client, world, community_staff, media):
    org = ready_org(world)
    login(client, community_staff)
    page = client.get(create(org, K.INITIAL)).content.decode()
    assert 'enctype="multipart/form-data"' in page and page.count("required</span>") == 4
    response = client.post(
        create(org, K.INITIAL),
        {
            "statement": "成立食品安全互助社",
            **file_fields(),
            "doc_other": [upload("照片1.jpg", b"\xff\xd8\xff\xe0jpg"), upload("照片2.png", b"\x89PNG\r\n")],
        },
    )
    filing = Filing.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == detail(filing)
    assert filing.documents.count() == 6 and len(stored_files(media)) == 6
    assert IncubationCase.objects.get(organization=org).stage == IncubationCase.Stage.FILING


def test_upload_errors_are_shown_and_nothing_is_saved(client, world, community_staff, settings, media):
    settings.SIFU_MAX_UPLOAD_BYTES = 50
    org = ready_org(world)
    fields = file_fields()
    fields["doc_roster"] = upload("花名册.pdf", PDF * 5)
    fields["doc_venue"] = upload("场地证明.exe", b"MZ")
    response = login(client, community_staff).post(create(org, K.INITIAL), fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert "“花名册.pdf” is 120\xa0bytes; files up to 50\xa0bytes are accepted" in page
    assert "“场地证明.exe” is not an accepted file type" in page
    assert "Nothing was saved. Attach the files again." in page
    assert not Filing.objects.exists() and stored_files(media) == []


def test_change_and_deregistration_forms(client, world, org_leader):
    login(client, org_leader)
    response = client.get(create(world.org_a, K.CHANGE))
    assert response.context["form"]["venue"].initial == world.org_a.venue
    data = {
        "statement": "换场地",
        "name": world.org_a.name,
        "form": world.org_a.form,
        "category": world.org_a.category,
        "guiding_unit": "",
        "venue": "荔芳社区二楼",
        "venue_kind": "",
        "purpose": "",
        "service_scope": "",
        "doc_application": upload(),
    }
    response = client.post(create(world.org_a, K.CHANGE), data)
    filing = Filing.objects.get(organization=world.org_a)
    assert response.status_code == 302
    assert filing.changes == {"venue": {"before": "社区党群服务中心", "after": "荔芳社区二楼"}}
    services.filing_withdraw(filing=filing, by=org_leader)

    response = client.post(create(world.org_a, K.DEREGISTRATION), {"doc_application": upload()})
    assert response.status_code == 200
    assert response.context["form"].errors["statement"] and response.context["form"].errors["effective_on"]
    on = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        create(world.org_a, K.DEREGISTRATION),
        {"statement": "成员解散", "effective_on": on, "doc_application": upload()},
    )
    assert response.status_code == 302
    assert Filing.objects.get(organization=world.org_a, status=S.SUBMITTED).kind == K.DEREGISTRATION


def test_renewal_too_early_is_explained_without_a_form(client, world, community_staff):
    org = filed_org(world, valid_until=timezone.localdate() + dt.timedelta(days=200))
    response = login(client, community_staff).get(create(org, K.RENEWAL))
    page = response.content.decode()
    assert "Renewal opens 30 days before the filing ends" in page and "multipart" not in page


def test_a_second_request_is_not_offered_while_one_is_open(client, world, org_leader):
    filing = submit(world.org_a, K.RENEWAL, by=org_leader)
    response = login(client, org_leader).get(create(world.org_a, K.CHANGE))
    assert response.context["open_filing"] == filing and "multipart" not in response.content.decode()


def test_new_request_needs_the_submit_permission(client, world, district_leader, other_staff):
    assert login(client, district_leader).get(create(world.org_a, K.RENEWAL)).status_code == 403
    assert login(client, other_staff).get(create(world.org_a, K.RENEWAL)).status_code == 404


# Resubmission ---------------------------------------------------------------------------------


def test_resubmit_a_returned_request_with_more_documents(client, world, org_leader, community_staff):
    filing = submit(world.org_a, K.RENEWAL, by=org_leader, statement="续期")
    filing = services.filing_return(filing=filing, reason="花名册过期", by=community_staff)
    login(client, org_leader)
    response = client.get(step(filing, "resubmit"))
    page = response.content.decode()
    assert "花名册过期" in page and 'name="seen_round" value="1"' in page and "required</span>" not in page
    response = client.post(
        step(filing, "resubmit"),
        seen(filing, statement="已更新花名册", doc_roster=upload("花名册2024.xlsx", b"PK\x03\x04")),
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert (filing.status, filing.round, filing.statement) == (S.SUBMITTED, 2, "已更新花名册")
    assert filing.documents.filter(round=2).get().original_name == "花名册2024.xlsx"
    assert filing.documents.count() == 3


def test_resubmit_page_on_a_request_that_is_not_returned(client, world, org_leader):
    filing = submit(world.org_a, K.RENEWAL, by=org_leader)
    response = login(client, org_leader).get(step(filing, "resubmit"))
    assert response.status_code == 200
    assert "can be resubmitted only after it is returned" in response.content.decode()
    response = client.post(step(filing, "resubmit"), seen(filing, statement="x"))
    assert response.status_code == 200 and "cannot be resubmitted" in response.content.decode()
    filing.refresh_from_db()
    assert filing.round == 1


# Documents ------------------------------------------------------------------------------------


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
        ("anonymous", 302),
    ],
    indirect=["persona"],
)
def test_document_download_per_persona(client, world, org_leader, persona, status):
    filing = submit(
        world.org_a,
        K.RENEWAL,
        by=org_leader,
        documents=[("application", upload("续期申请表.pdf")), *docs(K.RENEWAL)[1:]],
    )
    doc = filing.documents.get(kind="application")
    response = login(client, persona).get(reverse("incubation:filing-document", args=[doc.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert quote("续期申请表.pdf") in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]


# The organization page's panel --------------------------------------------------------------------


def test_panel_offers_renewal_with_the_flag_change_and_deregistration(client, world, org_leader):
    response = login(client, org_leader).get(org_page(world.org_a))  # org A's filing expired in 2022
    page = response.content.decode()
    panel = page.split('id="filing"')[1].split("</section>")[0]
    assert create(world.org_a, K.RENEWAL) in panel and "expired" in panel
    assert create(world.org_a, K.CHANGE) in panel and create(world.org_a, K.DEREGISTRATION) in panel
    assert "transition/register" not in panel  # conversion is the subdistrict's


def test_panel_shows_the_request_in_progress_instead_of_new_ones(client, world, org_leader, district_leader):
    filing = submit(world.org_a, K.RENEWAL, by=org_leader)
    page = login(client, org_leader).get(org_page(world.org_a)).content.decode()
    panel = page.split('id="filing"')[1].split("</section>")[0]
    assert detail(filing) in panel and "Awaiting community check" in panel and "?kind=" not in panel
    page = login(client, district_leader).get(org_page(world.org_a)).content.decode()
    panel = page.split('id="filing"')[1].split("</section>")[0]
    assert detail(filing) in panel and "?kind=" not in panel


def test_panel_links_the_subdistrict_to_the_conversion_to_registration(client, world, office_admin):
    page = login(client, office_admin).get(org_page(world.org_a)).content.decode()
    panel = page.split('id="filing"')[1].split("</section>")[0]
    assert reverse("registry:organization-transition", args=[world.org_a.pk, "register"]) in panel
    # …and the conversion itself is the registry's transition, unchanged.
    from sifu.core.validators import uscc_check_char

    code = "51440305MJL000002"
    response = client.post(
        reverse("registry:organization-transition", args=[world.org_a.pk, "register"]),
        {
            "uscc": code + uscc_check_char(code),
            "registered_on": timezone.localdate().isoformat(),
            # the state the transition page showed, as it posts it
            "seen": world.org_a.status,
            "seen_legal_status": world.org_a.legal_status,
        },
    )
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.legal_status == Organization.LegalStatus.REGISTERED


def test_panel_offers_the_first_filing_for_an_incubating_organization(client, world, community_staff):
    org = ready_org(world)
    page = login(client, community_staff).get(org_page(org)).content.decode()
    panel = page.split('id="filing"')[1].split("</section>")[0]
    assert create(org, K.INITIAL) in panel and "No filing request yet" in panel
    assert "transition/file/" not in page  # community staff no longer record filings directly


def test_org_page_queries_do_not_grow_with_requests(
    client, world, org_leader, community_staff, office_admin, django_assert_num_queries
):
    login(client, org_leader)

    def check():
        # The registry page's nine queries and one for the panel's request (the open or latest one).
        with django_assert_num_queries(10):
            assert client.get(org_page(world.org_a)).status_code == 200

    check()
    for _ in range(3):
        services.filing_withdraw(filing=submit(world.org_a, K.RENEWAL, by=org_leader), by=org_leader)
    submit(world.org_a, K.RENEWAL, by=org_leader)
    check()


# Office home ---------------------------------------------------------------------------------


def test_office_home_counts_what_waits_and_flags_the_overdue(client, world, community_staff, office_admin, org_leader):
    make_queue(world, community_staff, office_admin)
    response = login(client, community_staff).get(HOME)
    assert response.context["filings"] == {"to_check": 2, "to_decide": 0, "overdue": 1}
    page = response.content.decode()
    assert f"{LIST}?tab=overdue" in page and "office-flag" in page and 'data-figure="to_decide"' not in page
    response = login(client, office_admin).get(HOME)
    assert response.context["filings"] == {"to_check": 2, "to_decide": 1, "overdue": 1}
    assert 'data-figure="to_decide"' in response.content.decode()
    response = login(client, org_leader).get(HOME)
    assert response.context["filings"] is None and "filings-waiting" not in response.content.decode()


def test_navigation_offers_filings(client, world, community_staff, org_leader, outsider):
    assert f'href="{LIST}"' in login(client, community_staff).get(HOME).content.decode()
    assert f'href="{LIST}"' in login(client, org_leader).get(HOME).content.decode()
    assert f'href="{LIST}"' not in login(client, outsider).get(HOME).content.decode()
