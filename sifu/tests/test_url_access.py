"""The URL access matrix (DESIGN.md §5): every route of every app × every persona → status.

A new route without an entry in ROUTES fails ``test_every_route_is_in_the_matrix``, so no
page, export or API endpoint can ship without a decision about who may use it.

Personas (sifu/conftest.py): office_admin (subdistrict admin of 南山街道), community_staff
(荔芳社区 = community A), other_staff (南园社区 = community B), org_leader (admin of org A),
org_member (member of org A, no role), district_leader (read-only leader of 南山区), reviewer
(no permissions yet), outsider (an account with no role), anonymous.

Targets are in community A (org A and its people), so other_staff meets 404 (outside scope)
where community staff get 200, and accounts without the permission meet 403. Anonymous users
are sent to the login page (302) by office pages and refused (403) by the API.

SIFU_PRINT_MATRIX=1 prints the observed matrix (for reviewing a change), the test still asserts.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from sifu.accounts.services import role_grant, system_actor
from sifu.accounts.tests.factories import UserFactory
from sifu.conftest import PERSONAS
from sifu.core.permissions import Role
from sifu.core.tests.built_once import built_once
from sifu.incubation.models import (
    Filing,
    FilingDocument,
    IncubationCase,
    LeaderCandidate,
    PlanGoal,
    PlanMilestone,
    ServicePlan,
)
from sifu.incubation.services import need_record
from sifu.jobs.models import Job
from sifu.registry.models import Membership
from sifu.registry.services import organization_create

# Routes the matrix does not walk: Django admin (superusers only, its own tests), the language
# switch (public, POST) and DRF's format-suffix twins of routes already listed.
SKIPPED_PREFIXES = ("admin:",)
SKIPPED = {"set_language"}


@dataclass(frozen=True)
class Route:
    expect: str  # one status per persona, in PERSONAS order
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda t: {})
    method: str = "GET"
    data: Callable[[Any], dict[str, Any]] = field(default=lambda t: {})
    query: Callable[[Any], str] = field(default=lambda t: "")


def org(t):
    return {"pk": t.world.org_a.pk}


def person(t):
    return {"pk": t.person.pk}


def membership(t):
    return {"pk": t.membership.pk}


def transition(t):
    return {"pk": t.world.org_a.pk, "action": "make_dormant"}


def reveal(t):
    return {"pk": t.person.pk, "field": "phone"}


def account(t):
    return {"pk": t.account.pk}


def need(t):
    return {"pk": t.need.pk}


def case(t):
    return {"pk": t.case.pk}


def filing(t):
    return {"pk": t.filing.pk}


def filing_document(t):
    """A document row of t.filing whose file is not stored (so allowed personas meet 404 too; the
    downloads themselves: incubation/tests/test_filings_views.py)."""
    doc = FilingDocument.objects.create(
        filing=t.filing, kind="application", file="filings/matrix/application.pdf", original_name="申请表.pdf", size=9
    )
    return {"pk": doc.pk}


def plan(t):
    return {"pk": t.plan.pk}


def candidate(t):
    return {"pk": t.candidate.pk}


def goal(t):
    return {"pk": t.goal.pk}


def milestone(t):
    return {"pk": t.milestone.pk}


def job(t):
    return {"pk": t.job.pk}


def import_check(t):
    return {"pk": t.import_check.pk}


#      office_admin community_staff other_staff org_leader org_member district_leader reviewer outsider anonymous
ROUTES: dict[str, Route] = {
    "web:home": Route("200 200 200 200 200 200 200 200 200"),
    "web:office-home": Route("200 200 200 200 200 200 200 200 302"),
    "accounts:login": Route("302 302 302 302 302 302 302 302 200"),
    "accounts:logout": Route("302 302 302 302 302 302 302 302 302", method="POST"),
    "accounts:user-list": Route("200 403 403 403 403 403 403 403 302"),
    "accounts:user-create": Route("200 403 403 403 403 403 403 403 302"),
    "accounts:user-detail": Route("200 403 403 403 403 403 403 403 302", account),
    "accounts:role-grant": Route("400 403 403 403 403 403 403 403 302", account, method="POST"),
    "accounts:user-set-active": Route("302 403 403 403 403 403 403 403 302", account, method="POST"),
    "accounts:role-revoke": Route("302 302 404 403 403 403 403 403 302", lambda t: {"pk": t.grant.pk}, method="POST"),
    "accounts:area-list": Route("200 403 403 403 403 403 403 403 302"),
    "accounts:area-create": Route(
        "200 403 403 403 403 403 403 403 302", query=lambda t: f"?parent={t.world.subdistrict.pk}"
    ),
    "registry:organization-list": Route("200 200 200 200 403 200 403 403 302"),
    "registry:organization-export": Route("200 200 200 403 403 200 403 403 302"),
    "registry:organization-create": Route("200 200 200 403 403 403 403 403 302"),
    "registry:organization-detail": Route("200 200 404 200 404 200 404 404 302", org),
    "registry:organization-edit": Route("200 200 404 200 404 403 404 404 302", org),
    # org A has no charter here, so 404 even where allowed; with one: test_views_organizations (charter).
    "registry:organization-charter": Route("404 404 404 404 403 404 403 403 302", org),
    "registry:organization-instructor-options": Route("200 200 404 200 404 403 404 404 302", org),
    "registry:organization-transition": Route("200 200 404 403 404 403 404 404 302", transition),
    "registry:organization-members": Route("200 200 404 200 404 200 404 404 302", org),
    "registry:membership-add": Route("200 200 404 200 404 403 404 404 302", org),
    "registry:organization-leader": Route("200 200 404 200 404 403 404 404 302", org),
    "registry:organization-leader-candidates": Route("200 200 404 200 404 403 404 404 302", org),
    "registry:organization-admins": Route("200 200 404 403 404 403 404 404 302", org),
    "registry:membership-end": Route("200 200 404 200 404 403 404 404 302", membership, method="POST"),
    "registry:membership-role": Route("200 200 404 200 404 403 404 404 302", membership, method="POST"),
    "registry:person-list": Route("200 200 200 200 403 200 403 403 302"),
    "registry:person-create": Route("200 200 200 200 403 403 403 403 302"),
    "registry:person-detail": Route("200 200 404 200 404 200 404 404 302", person),
    "registry:person-edit": Route("200 200 404 200 404 403 404 404 302", person),
    "registry:person-reveal": Route("200 200 404 200 404 403 404 404 302", reveal, method="POST"),
    "registry:import": Route("200 403 403 403 403 403 403 403 302"),
    "registry:import-template": Route("200 403 403 403 403 403 403 403 302"),
    # "Import now" on office_admin's check that passed: a new job is started (302 to its page).
    "registry:import-run": Route("302 403 403 403 403 403 403 403 302", import_check, method="POST"),
    # Background jobs: each user sees their own list; t.job (an export of office_admin's, with its
    # file) is seen by its owner only: 404 for anyone else. Retrying a job that did not fail: 400.
    "jobs:list": Route("200 200 200 200 200 200 200 200 302"),
    "jobs:detail": Route("200 404 404 404 404 404 404 404 302", job),
    "jobs:download": Route("200 404 404 404 404 404 404 404 302", job),
    "jobs:retry": Route("400 404 404 404 404 404 404 404 302", job, method="POST"),
    "registry:public-directory": Route("200 200 200 200 200 200 200 200 200"),
    "registry:public-organization": Route("200 200 200 200 200 200 200 200 200", org),
    "incubation:need-list": Route("200 200 200 403 403 200 403 403 302"),
    "incubation:need-create": Route("200 200 200 403 403 403 403 403 302"),
    "incubation:need-detail": Route("200 200 404 404 404 200 404 404 302", need),
    # POSTed without a choice (or, for accept, on an open need): refused with the reason (400), nothing saved.
    "incubation:need-accept": Route("400 400 404 404 404 403 404 404 302", need, method="POST"),
    "incubation:need-merge": Route("400 400 404 404 404 403 404 404 302", need, method="POST"),
    "incubation:need-decline": Route("400 400 404 404 404 403 404 404 302", need, method="POST"),
    "incubation:need-link": Route("400 400 404 404 404 403 404 404 302", need, method="POST"),
    "incubation:need-unlink": Route("400 400 404 404 404 403 404 404 302", need, method="POST"),
    # Subdistrict staff and the district leader see communities side by side; community staff their own
    # community's page directly (200); a community outside the NEEDS_VIEW scope is 404 as for needs.
    "incubation:gap-map": Route("200 200 200 403 403 200 403 403 302"),
    "incubation:gap-community": Route("200 200 404 404 404 200 404 404 302", lambda t: {"pk": t.world.community_a.pk}),
    "incubation:need-submit": Route("200 200 200 200 200 200 200 200 200"),
    "incubation:need-submitted": Route("200 200 200 200 200 200 200 200 200"),
    "incubation:need-edit": Route("200 200 404 404 404 403 404 404 302", need),
    # Filing workflow: t.filing is a renewal of org A awaiting the community check. Decisions POSTed
    # without the page's state (seen/seen_round) are refused with the reason (400), nothing saved.
    "incubation:filing-list": Route("200 200 200 200 403 200 403 403 302"),
    "incubation:filing-detail": Route("200 200 404 200 404 200 404 404 302", filing),
    "incubation:filing-precheck": Route("400 400 404 403 404 403 404 404 302", filing, method="POST"),
    "incubation:filing-return": Route("400 400 404 403 404 403 404 404 302", filing, method="POST"),
    "incubation:filing-approve": Route("400 403 404 403 404 403 404 404 302", filing, method="POST"),
    "incubation:filing-refuse": Route("400 403 404 403 404 403 404 404 302", filing, method="POST"),
    "incubation:filing-withdraw": Route("400 400 404 400 404 403 404 404 302", filing, method="POST"),
    # GET on a request that is not returned: the page says so (200); the form comes once it is returned.
    "incubation:filing-resubmit": Route("200 200 404 200 404 403 404 404 302", filing),
    "incubation:filing-document": Route("404 404 404 404 403 404 403 403 302", filing_document),
    # org A already has a request in progress: the page says so instead of offering a second one.
    "incubation:filing-create": Route("200 200 404 200 404 403 404 404 302", org, query=lambda t: "?kind=renewal"),
    # Incubation cases: t.case is the case of a proposed organization in community A.
    "incubation:case-list": Route("200 200 200 403 403 200 403 403 302"),
    "incubation:case-create": Route("200 200 200 403 403 403 403 403 302"),
    "incubation:case-detail": Route("200 200 404 404 404 200 404 404 302", case),
    "incubation:case-edit": Route("200 200 404 404 404 403 404 404 302", case),
    # POSTed with a future date, or without a note, a reason or a need: refused with the reason (400), nothing saved.
    "incubation:case-start": Route(
        "400 400 404 404 404 403 404 404 302", case, method="POST", data=lambda t: {"on": "2999-01-01"}
    ),
    "incubation:case-note-add": Route("400 400 404 404 404 403 404 404 302", case, method="POST"),
    "incubation:case-close": Route("400 400 404 404 404 403 404 404 302", case, method="POST"),
    "incubation:case-link-need": Route("400 400 404 404 404 403 404 404 302", case, method="POST"),
    "incubation:case-unlink-need": Route("400 400 404 404 404 403 404 404 302", case, method="POST"),
    # Leader candidates (三强): org A's page needs CASES_VIEW on org A (its admin sees the org, not its candidates).
    "incubation:candidate-list": Route("200 200 404 403 404 200 404 404 302", org),
    "incubation:candidate-overview": Route("200 200 200 403 403 200 403 403 302"),
    "incubation:candidate-detail": Route("200 200 404 404 404 200 404 404 302", candidate),
    # POSTed without the form's fields (assessment, date, reason): refused with the reason (400), nothing saved.
    "incubation:candidate-assess": Route("400 400 404 404 404 403 404 404 302", candidate, method="POST"),
    "incubation:candidate-choose": Route("400 400 404 404 404 403 404 404 302", candidate, method="POST"),
    "incubation:candidate-withdraw": Route("400 400 404 404 404 403 404 404 302", candidate, method="POST"),
    # Service plans: the subdistrict's plan is seen by its communities' staff, changed by the subdistrict only.
    "incubation:plan-list": Route("200 200 200 403 403 200 403 403 302"),
    "incubation:plan-create": Route("200 403 403 403 403 403 403 403 302"),
    "incubation:plan-detail": Route("200 200 200 404 404 200 404 404 302", plan),
    "incubation:plan-edit": Route("200 403 403 404 404 403 404 404 302", plan),
    "incubation:plan-goal-add": Route("200 403 403 404 404 403 404 404 302", plan),
    "incubation:plan-goal-edit": Route("200 403 403 404 404 403 404 404 302", goal),
    "incubation:plan-milestone-add": Route("200 403 403 404 404 403 404 404 302", plan),
    # Without a date (done) or on a milestone not done (reopen): refused (400), nothing saved.
    "incubation:plan-milestone-done": Route("400 403 403 404 404 403 404 404 302", milestone, method="POST"),
    "incubation:plan-milestone-reopen": Route("400 403 403 404 404 403 404 404 302", milestone, method="POST"),
    # The log of unmasked views: subdistrict admins only (sifu/privacy/selectors.py for its scope).
    "privacy:view-list": Route("200 403 403 403 403 403 403 403 302"),
    "privacy:view-export": Route("200 403 403 403 403 403 403 403 302"),
    "outcomes:dashboard": Route("200 200 200 403 403 200 403 403 302"),
    "api:api-root": Route("200 200 200 200 200 200 200 200 403"),
    "api:organization-list": Route("200 200 200 200 403 200 403 403 403"),
    "api:organization-detail": Route("200 200 404 200 403 200 403 403 403", org),
    "api:schema": Route("200 200 200 200 200 200 200 200 403"),
    "api:docs": Route("200 200 200 200 200 200 200 200 403"),
}


@dataclass
class Targets:
    world: Any
    person: Any
    membership: Any
    account: Any
    grant: Any
    need: Any
    case: Any
    filing: Any
    plan: Any
    candidate: Any
    goal: Any
    milestone: Any
    job: Any
    import_check: Any


@built_once
def matrix_rows(world):
    """The targets but the jobs (their files need a temporary MEDIA_ROOT): built once."""
    membership = (
        Membership.objects.filter(organization=world.org_a, left_on__isnull=True)
        .exclude(role=Membership.Role.LEADER)
        .select_related("person")
        .first()
    )
    account = UserFactory(username="target_account", display_name="目标账号")
    grant = role_grant(user=account, role=Role.COMMUNITY_STAFF, area=world.community_a, by=system_actor())
    need = need_record(
        community=world.community_a, title="外卖骑手歇脚点", category="life", source="visit", by=system_actor()
    )
    # An organization being incubated in community A, a renewal of org A's filing awaiting the
    # community check, and the subdistrict's service plan (direct rows: the routes are under test).
    proposed = organization_create(
        name="荔芳外卖骑手互助会",
        form="society",
        nature="association",
        category="life",
        community=world.community_a,
        by=system_actor(),
    )
    case = IncubationCase.objects.create(organization=proposed, incubator_kind=IncubationCase.Incubator.ENERGY_STATION)
    case.needs.add(need)
    today = timezone.localdate()
    filing = Filing.objects.create(
        organization=world.org_a, kind=Filing.Kind.RENEWAL, due_on=today + dt.timedelta(days=Filing.REVIEW_DAYS)
    )
    plan = ServicePlan.objects.create(
        area=world.subdistrict, title="三年服务规划", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    # A leader candidate of org A, and a goal and a milestone of the plan.
    candidate = LeaderCandidate.objects.create(organization=world.org_a, person=membership.person)
    goal = PlanGoal.objects.create(plan=plan, metric="active_organizations", target=10, due_on=plan.ends_on)
    milestone = PlanMilestone.objects.create(plan=plan, title="能量站全覆盖", due_on=dt.date(2025, 6, 30))
    return Targets(
        world=world,
        person=membership.person,
        membership=membership,
        account=account,
        grant=grant,
        need=need,
        case=case,
        filing=filing,
        plan=plan,
        candidate=candidate,
        goal=goal,
        milestone=milestone,
        job=None,
        import_check=None,
    )


@pytest.fixture
def targets(matrix_rows, office_admin, settings, tmp_path):
    """The routes' targets: the rows above, and office_admin's jobs made in each test."""
    # office_admin's finished export (its file stored under a temporary MEDIA_ROOT) and passed check.
    settings.MEDIA_ROOT = tmp_path
    done = {"status": Job.Status.SUCCEEDED, "task_path": "sifu.registry.tasks.export_organizations"}
    job = Job.objects.create(owner=office_admin, kind="registry.export", label="组织名单导出", **done)
    job.result_file.save("组织名单.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    job.result_filename = "组织名单.xlsx"
    job.save()
    import_check = Job.objects.create(
        owner=office_admin,
        kind="registry.import",
        label="导入检查",
        params={"dry_run": True, "filename": "名单.xlsx"},
        result={"ok": True},
        **done,
    )
    matrix_rows.job, matrix_rows.import_check = job, import_check
    return matrix_rows


def _route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, ns: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ns
                if p.namespace:
                    inner = f"{ns}:{p.namespace}" if ns else p.namespace
                walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{ns}:{p.name}" if ns else p.name)

    walk(get_resolver().url_patterns, None)
    return {n for n in names if n not in SKIPPED and not n.startswith(SKIPPED_PREFIXES)}


def test_every_route_is_in_the_matrix():
    missing = sorted(_route_names() - set(ROUTES))
    stale = sorted(set(ROUTES) - _route_names())
    assert not missing, f"routes without an access rule: {missing}"
    assert not stale, f"rules for routes that no longer exist: {stale}"


def _status(client, route: Route, name: str, t: Targets) -> int:
    url = reverse(name, kwargs=route.kwargs(t)) + route.query(t)
    response = client.post(url, route.data(t)) if route.method == "POST" else client.get(url)
    return response.status_code


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_access(name, client, targets, personas):
    route = ROUTES[name]
    observed = []
    for persona in PERSONAS:
        client.logout()
        if personas[persona] is not None:
            client.force_login(personas[persona])
        observed.append(str(_status(client, route, name, targets)))
    if os.environ.get("SIFU_PRINT_MATRIX"):
        print(f'\n    "{name}": {" ".join(observed)}')
    expected = route.expect.split()
    assert len(expected) == len(PERSONAS), f"{name}: give one status per persona"
    mismatches = {p: (e, o) for p, e, o in zip(PERSONAS, expected, observed, strict=True) if e != o}
    assert not mismatches, f"{name}: persona → (expected, observed): {mismatches}"
