"""What incubation contributes to the shared pages (``sifu.core.contributions``), in one place:

- the office navigation's incubation items (needs, gap map, cases, filings, candidates, plans);
- the office home's to-do items: filing requests waiting for the user's check or decision (and
  those overdue), and the overdue milestones of the service plans;
- the organization page's filing panel and its "Leader candidates" button;
- the public header's "Tell us a need" link;
- the figures' ``incubation`` key (``outcomes --json``) and its dashboard section;
- the incubation part of the Nanshan demo (``seed_demo``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sifu.accounts.models import Area
from sifu.core.contributions import (
    DashboardContext,
    DemoPart,
    DemoResult,
    FigureContext,
    FigureSection,
    HomeTodos,
    NavItem,
    OrganizationAction,
    OrganizationPanel,
    PublicLink,
    Stage,
    Todo,
    Urgency,
    UrlMount,
)
from sifu.core.permissions import Perm
from sifu.incubation import selectors
from sifu.incubation.services.filings import offered_kinds
from sifu.registry import selectors as registry_selectors
from sifu.registry.models import Organization

# --- the office home -------------------------------------------------------------------------------


def _filing_todos(waiting: dict[str, int], user: Any) -> list[Todo]:
    """The filing requests waiting for the user: to check (community), to decide (subdistrict) and
    overdue among them. The home block's name qualifies the keys: ``filings.to_check`` …"""
    url = reverse("incubation:filing-list")
    todos = []
    if user.has_perm(Perm.FILING_PRECHECK):
        todos.append(Todo("to_check", _("Awaiting your community check"), waiting["to_check"], f"{url}?tab=community"))
    if user.has_perm(Perm.FILING_DECIDE):
        todos.append(Todo("to_decide", _("Awaiting your decision"), waiting["to_decide"], f"{url}?tab=subdistrict"))
    overdue = waiting["overdue"]
    urgency = Urgency.OVERDUE if overdue else Urgency.NORMAL
    todos.append(Todo("overdue", _("Overdue: past the 7 days"), overdue, f"{url}?tab=overdue", urgency))
    return todos


def _milestone_todos(overdue: int, user: Any) -> list[Todo]:
    url = reverse("incubation:plan-list")
    return [Todo("milestones_overdue", _("Overdue milestones"), overdue, url, Urgency.OVERDUE)]


# --- the organization page ---------------------------------------------------------------------------


def filing_panel(request: HttpRequest, organization: Organization) -> dict[str, Any] | None:
    """The organization's filing: the request in progress (or the latest), what the viewer may ask
    for now (renewal with its flag, a change, deregistration, or the first filing) and, for those
    the registry's workflow allows, the conversion to registration. One query; none (hidden) without
    FILING_VIEW."""
    user: Any = request.user
    if not user.has_perm(Perm.FILING_VIEW, organization):
        return None
    today = timezone.localdate()
    filing = selectors.organization_filing(organization)
    is_open = filing is not None and filing.is_open
    may_submit = user.has_perm(Perm.FILING_SUBMIT, organization)
    # The conversion to registration is the registry's transition, offered as the registry's page offers it.
    may_register = "register" in registry_selectors.organization_actions(organization, user)
    return {
        "show": True,
        "organization": organization,
        "filing": filing,
        "is_open": is_open,
        "overdue": is_open and filing is not None and filing.is_overdue(today),
        "offered": offered_kinds(organization, today) if may_submit and not is_open else [],
        "warning": registry_selectors.filing_warning(organization, today),
        "may_register": may_register,
    }


# --- figures -------------------------------------------------------------------------------------------


def _figures(ctx: FigureContext) -> dict[str, Any]:
    """Needs, incubation cases, filings and conversions: 5 queries."""
    assert ctx.period is not None
    return {"incubation": selectors.incubation_figures(start=ctx.period.start, end=ctx.period.end, area=ctx.area)}


def _dashboard(dctx: DashboardContext) -> dict[str, Any]:
    """The dashboard's incubation section: the figures with their labels, and the gap map's summary
    per community (active organizations on the as-of date against the target; open needs and gaps
    now), one query. The per-community chart draws the target."""
    figures = dctx.figures["incubation"]
    target = selectors.COMMUNITY_TARGET
    dctx.chart_data["target"] = target
    dctx.chart_data.setdefault("labels", {})["target"] = gettext("Target: %(n)s") % {"n": target}
    needs = selectors.needs_by_community(dctx.figure_context.area)
    can_open_gaps = dctx.user.has_perm(Perm.NEEDS_VIEW)
    gap_rows = []
    for row in dctx.figure_context.shared.get("community_rows") or []:
        counts = needs.get(row["id"], {})
        gap_rows.append(
            {
                "label": row["label"],
                "active": row["active"],
                "shortfall": max(target - row["active"], 0),
                "open": counts.get("open", 0),
                "gaps": counts.get("gaps", 0),
                "url": reverse("incubation:gap-community", args=[row["id"]]) if can_open_gaps else "",
            }
        )
    pending = figures["filings_pending"]
    return {
        "incubation": {
            "stages": [(label, figures["cases_by_stage"][key]) for key, label in selectors.stage_labels()],
            "pending": [(label, pending[key]) for key, label in selectors.pending_labels()],
            "pending_total": sum(pending.values()),
            "cases_total": sum(figures["cases_by_stage"].values()),
            "target": target,
            "gap_rows": gap_rows,
            "under_target": sum(1 for row in gap_rows if row["shortfall"]),
            "gap_map_url": reverse("incubation:gap-map") if can_open_gaps else "",
        }
    }


LABELS: dict[tuple[str, ...], tuple[str, str]] = {
    ("incubation",): ("孵化", "Incubation"),
    ("incubation", "needs_open"): ("未满足的需求", "Open needs"),
    ("incubation", "needs_served"): ("已满足的需求", "Needs served"),
    ("incubation", "gaps"): ("缺口(无人服务的需求)", "Gaps"),
    ("incubation", "cases_by_stage"): ("孵化项目(按阶段)", "Incubation cases by stage"),
    ("incubation", "cases_by_stage", "preparing"): ("筹备", "Preparing"),
    ("incubation", "cases_by_stage", "incubating"): ("孵化中", "Incubating"),
    ("incubation", "cases_by_stage", "filing"): ("备案审核中", "Filing under review"),
    ("incubation", "cases_by_stage", "filed"): ("已备案", "Filed"),
    ("incubation", "cases_by_stage", "closed"): ("已结束", "Closed"),
    ("incubation", "filings_pending"): ("办理中的备案申请", "Open filing requests"),
    ("incubation", "filings_pending", "submitted"): ("待社区初审", "Awaiting community check"),
    ("incubation", "filings_pending", "prechecked"): ("待街道审核", "Awaiting subdistrict review"),
    ("incubation", "filings_pending", "returned"): ("退回修改", "Returned for changes"),
    ("incubation", "filings_overdue"): ("逾期未审", "Overdue"),
    ("incubation", "filed_in_period"): ("期内备案", "Filed in the period"),
    ("incubation", "conversions_to_registered"): ("期内转登记", "Converted to registration in the period"),
    ("incubation", "median_days_need_to_filing"): ("需求到备案天数(中位数)", "Median days from need to filing"),
}


# --- the demo --------------------------------------------------------------------------------------------


def _load_demo(subdistrict: Area) -> DemoResult:
    from sifu.incubation.demo import seed_incubation_demo

    result = seed_incubation_demo(subdistrict)
    summary = f"{result.needs} needs, {result.cases} incubation cases"
    if not result.created:
        return DemoResult(False, summary)
    today = timezone.localdate()
    figures = selectors.incubation_figures(start=today.replace(year=today.year - 1), end=today, area=subdistrict)
    stages = ", ".join(f"{stage} {n}" for stage, n in figures["cases_by_stage"].items())
    pending = ", ".join(f"{status} {n}" for status, n in figures["filings_pending"].items())
    ending, expired = registry_selectors.filings_ending(subdistrict, today)
    return DemoResult(
        True,
        summary,
        (
            f"  Incubation, {today}: {result.needs} needs ({figures['needs_open']} open, "
            f"{figures['needs_served']} served, {figures['gaps']} gaps); {result.cases} cases ({stages}); "
            f"{result.candidates} leader candidates",
            f"  Filing requests: {result.filings} ({result.renewals} renewals approved); open: {pending}; "
            f"{figures['filings_overdue']} overdue; filings ending within 30 days {ending}, "
            f"ended {expired}; {result.plans} service plans",
        ),
    )


CONTRIBUTIONS = (
    UrlMount("", "sifu.incubation.urls"),
    NavItem(Stage.INCUBATE, _("Needs"), "incubation:need-list", Perm.NEEDS_VIEW, "/office/needs/", 10),
    NavItem(Stage.INCUBATE, _("Gap map"), "incubation:gap-map", Perm.NEEDS_VIEW, "/office/incubation/gaps/", 20),
    NavItem(
        Stage.INCUBATE, _("Incubation cases"), "incubation:case-list", Perm.CASES_VIEW, "/office/incubation/cases/", 30
    ),
    NavItem(Stage.INCUBATE, _("Filings"), "incubation:filing-list", Perm.FILING_VIEW, "/office/filings/", 40),
    NavItem(
        Stage.INCUBATE,
        _("Leader candidates"),
        "incubation:candidate-overview",
        Perm.CASES_VIEW,
        "/office/incubation/candidates/",
        50,
    ),
    NavItem(Stage.INCUBATE, _("Service plans"), "incubation:plan-list", Perm.PLANS_VIEW, "/office/plans/", 80),
    HomeTodos(
        name="filings",
        perm=(Perm.FILING_PRECHECK, Perm.FILING_DECIDE),
        compute=lambda user, today: selectors.filings_waiting(user, today),
        todos=_filing_todos,
        template="incubation/home_filings.html",
        order=20,
    ),
    HomeTodos(
        name="milestones_overdue",
        perm=Perm.PLANS_VIEW,
        compute=selectors.overdue_milestones,
        todos=_milestone_todos,
        template="incubation/home_milestones.html",
        hide_when_clear=True,
        order=30,
    ),
    OrganizationPanel(template="incubation/filing_panel.html", context=filing_panel, order=10),
    OrganizationAction(_("Leader candidates"), "incubation:candidate-list", Perm.CASES_VIEW, order=10),
    PublicLink(_("Tell us a need"), "incubation:need-submit", 20),
    FigureSection(
        key="incubation",
        compute=_figures,
        labels=LABELS,
        dashboard_template="incubation/dashboard_section.html",
        dashboard=_dashboard,
        order=20,
    ),
    DemoPart(name="incubation", load=_load_demo, order=10),
)
