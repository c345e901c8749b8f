"""Incubation in the browser (issue #3): community staff record a need, open a case, complete the
filing checklist in the registry, submit the filing with its documents and pass the community check;
the subdistrict approves and the organization is filed and in the public directory. And a resident's
need, sent from the public site without an account, lands in the community's screening queue.

Elements are found by ids, names, URLs and data-* attributes, never by visible text: the zh-Hans
catalogue changes the words.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sifu.incubation.models import Filing, IncubationCase, Need
from sifu.registry.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)

ORG_NAME = "荔芳外卖骑手互助会"
PDF = {"mimeType": "application/pdf", "buffer": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"}


def _file(name: str) -> dict:
    return {"name": name, **PDF}


def _submit(page, action_suffix: str) -> None:
    page.locator(f'form[action$="{action_suffix}"] button[type=submit]').first.click()


def _add_member(page, org: Organization, name: str, phone: str, *, role: str, initiator: bool, party: bool) -> None:
    page.goto(page.url.split("/office/")[0] + reverse("registry:membership-add", args=[org.pk]))
    page.fill("#id_name", name)
    page.fill("#id_phone", phone)
    page.select_option("#id_political_status", "cpc_member" if party else "masses")
    page.select_option("#id_role", role)
    if initiator:
        page.check("#id_is_initiator")
    page.click("button[type=submit].primary")
    errors = page.locator(".errorlist, .notice.error").all_inner_texts()
    assert not errors, errors
    expect(page).to_have_url(re.compile(reverse("registry:organization-members", args=[org.pk])))


def test_from_a_need_to_a_filed_organization(
    world, community_staff, office_admin, page, live_server, login, logout, shot
):
    base = live_server.url
    login("community_staff")

    # 1. A need of community A, recorded by its staff.
    page.goto(base + reverse("incubation:need-create"))
    page.fill("#id_title", "外卖骑手缺少歇脚充电点")
    page.fill("#id_affected_group", "外卖骑手")
    page.select_option("#id_category", "life")
    page.select_option("#id_source", "visit")
    page.fill("#id_place", "荔芳路美食街")
    page.fill("#id_description", "午晚高峰骑手在路边等餐，无处歇脚、充电。")
    page.click("button[type=submit].primary")
    need = Need.objects.get(title="外卖骑手缺少歇脚充电点")
    expect(page).to_have_url(base + reverse("incubation:need-detail", args=[need.pk]))
    assert need.community == world.community_a and need.status == Need.Status.OPEN

    # 2. A case from the need: the prospective organization enters the registry as proposed.
    page.click(f'a[href="{reverse("incubation:case-create")}?need={need.pk}"]')
    page.fill("#id_name", ORG_NAME)
    page.select_option("#id_form", "society")
    page.select_option("#id_nature", "service")
    page.select_option("#id_incubator_kind", "energy_station")
    page.fill("#id_incubator_name", "荔芳社区能量站")
    page.fill("#id_mentor", "陈敏")
    page.click("button[type=submit].primary")
    case = IncubationCase.objects.select_related("organization").get(organization__name=ORG_NAME)
    org = case.organization
    case_url = base + reverse("incubation:case-detail", args=[case.pk])
    expect(page).to_have_url(case_url)
    assert org.status == Organization.Status.PROPOSED and list(case.needs.all()) == [need]
    # The checklist says what is missing; nothing can be filed yet.
    expect(page.locator("#checklist li.missing[data-check=venue]")).to_have_count(1)
    expect(page.locator("#checklist li.missing[data-check=party_clause]")).to_have_count(1)
    expect(page.locator(f'a[href*="{reverse("incubation:filing-create", args=[org.pk])}"]')).to_have_count(0)
    shot("incubation-case-missing")

    # 3. Start the incubation, then complete the checklist in the registry.
    _submit(page, reverse("incubation:case-start", args=[case.pk]))
    expect(page).to_have_url(case_url)
    case.refresh_from_db()
    assert case.stage == IncubationCase.Stage.INCUBATING

    page.locator("#checklist li[data-check=venue] a.fix").click()
    page.fill("#id_venue", "荔芳社区党群服务中心二楼")
    page.set_input_files("#id_charter_file", _file("章程.pdf"))
    page.check("#id_party_clause_in_charter")
    page.check("#id_election_rules_adopted")
    page.check("#id_deliberation_rules_adopted")
    page.click("button[type=submit].primary")
    expect(page).to_have_url(re.compile(reverse("registry:organization-detail", args=[org.pk])))

    _add_member(page, org, "王志强", "13912345678", role="leader", initiator=True, party=True)
    _add_member(page, org, "李小龙", "13787654321", role="member", initiator=True, party=False)

    page.goto(case_url)
    expect(page.locator("#checklist li.missing")).to_have_count(0)
    shot("incubation-case-ready")

    # 4. Submit the filing with its four documents; the case moves to "filing".
    page.click(f'a[href*="{reverse("incubation:filing-create", args=[org.pk])}"]')
    page.fill("#id_statement", "申请备案为服务型社区社会组织。")
    for kind in ("application", "roster", "charter", "venue"):
        page.set_input_files(f"#id_doc_{kind}", _file(f"{kind}.pdf"))
    page.click("button[type=submit].primary")
    filing = Filing.objects.get(organization=org)
    filing_url = base + reverse("incubation:filing-detail", args=[filing.pk])
    expect(page).to_have_url(filing_url)
    assert filing.status == Filing.Status.SUBMITTED and filing.documents.count() == 4
    case.refresh_from_db()
    assert case.stage == IncubationCase.Stage.FILING

    # 5. The community check (初审) passes; the community staff cannot approve.
    _submit(page, reverse("incubation:filing-precheck", args=[filing.pk]))
    expect(page).to_have_url(filing_url)
    expect(page.locator(f'form[action$="{reverse("incubation:filing-approve", args=[filing.pk])}"]')).to_have_count(0)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.PRECHECKED
    shot("incubation-filing-prechecked")

    # 6. The subdistrict finds it in its queue and approves (审核).
    logout()
    login("office_admin")
    page.goto(base + reverse("incubation:filing-list"))
    page.click(f'a[href="{reverse("incubation:filing-detail", args=[filing.pk])}"]')
    expect(page).to_have_url(filing_url)
    number = page.input_value("#id_filing_number")
    assert number == f"南山街备〔{timezone.localdate().year}〕001号"
    _submit(page, reverse("incubation:filing-approve", args=[filing.pk]))
    expect(page).to_have_url(filing_url)
    shot("incubation-filing-approved")
    org.refresh_from_db()
    case.refresh_from_db()
    need.refresh_from_db()
    assert org.status == Organization.Status.ACTIVE and org.legal_status == Organization.LegalStatus.FILED
    assert org.filing_number == number and org.filing_valid_until > timezone.localdate().replace(
        year=timezone.localdate().year + 2
    )
    assert case.stage == IncubationCase.Stage.FILED
    assert need.status == Need.Status.SERVED

    # 7. The organization is in the public directory.
    logout()
    page.goto(base + reverse("registry:public-directory"))
    expect(page.locator(f'a[href="{reverse("registry:public-organization", args=[org.pk])}"]')).to_have_count(1)
    shot("incubation-public-directory")


def test_a_residents_need_reaches_the_community_queue(world, community_staff, page, live_server, login, shot):
    cache.clear()  # the submission rate limit counts per address in the cache
    base = live_server.url
    page.goto(base + reverse("incubation:need-submit"))
    page.select_option("#id_community", str(world.community_a.pk))
    page.fill("#id_title", "独居老人午餐没人送")
    page.fill("#id_affected_group", "独居老人")
    page.select_option("#id_category", "life")
    page.fill("#id_place", "荔芳村12栋")
    page.fill("#id_submitter_name", "张阿姨")
    page.fill("#id_submitter_phone", "13800138000")
    shot("incubation-need-submit")
    page.click("button[type=submit].primary")
    expect(page).to_have_url(base + reverse("incubation:need-submitted"))
    need = Need.objects.get(title="独居老人午餐没人送")
    assert need.status == Need.Status.SUBMITTED and need.source == Need.Source.RESIDENT
    assert "张阿姨" not in page.content() and "13800138000" not in page.content()

    login("community_staff")
    page.goto(base + reverse("incubation:need-list"))
    expect(page.locator(f'a[href="{reverse("incubation:need-detail", args=[need.pk])}"]')).to_have_count(1)
    shot("incubation-need-queue")
