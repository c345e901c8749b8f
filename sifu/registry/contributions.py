"""What the registry contributes to the shared pages (``sifu.core.contributions``): its office
navigation items, the office home's organization tiles and recent lifecycle changes, the public
site's directory link and home headline, and the figures' organizations, members and party
building (``outcomes --json`` keys and the top of the dashboard)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sifu.core.contributions import (
    ApiRoute,
    DashboardContext,
    FigureContext,
    FigureSection,
    HomeSection,
    HomeTiles,
    NavItem,
    PublicLink,
    PublicSection,
    Stage,
    Tile,
    UrlMount,
)
from sifu.core.permissions import Perm
from sifu.registry import selectors
from sifu.registry.models import Organization


def _summary_tiles(summary: dict[str, Any]) -> list[Tile]:
    url = reverse("registry:organization-list")
    return [
        Tile(summary["active"], _("Active organizations"), f"{url}?status=active"),
        Tile(summary["incubating"], _("Proposed or incubating"), f"{url}?status=incubating"),
        Tile(summary["dormant"], _("Dormant"), f"{url}?status=dormant"),
        Tile(summary["filing_expiring"], _("Filings expiring within 30 days or expired"), f"{url}?filing=expiring"),
    ]


def _figures(ctx: FigureContext) -> dict[str, Any]:
    """Organizations, members and party building: 2 + 3 queries (the per-community rows are read
    once per computation and shared with the dashboard)."""
    assert ctx.period is not None
    as_of = ctx.period.as_of
    figures = selectors.registry_figures(as_of, area=ctx.area)
    rows = ctx.once("community_rows", lambda: selectors.labelled_community_figures(as_of, area=ctx.area))
    # Every community under the area, zeros included, in tree order, so the drill-down shows them all.
    figures["organizations"]["by_community"] = {row["label"]: row["active"] for row in rows}
    return figures


def _dashboard(dctx: DashboardContext) -> dict[str, Any]:
    """The dashboard's top: the tiles, the charts' data and the per-community table (no query)."""
    orgs = dctx.figures["organizations"]
    rows = dctx.figure_context.shared.get("community_rows") or []
    dctx.chart_data.update(
        {
            "nature": [
                {"key": key, "name": str(Organization.Nature(key).label), "value": orgs["by_nature"][key]}
                for key in orgs["by_nature"]
            ],
            "category": [
                {"key": key, "name": str(Organization.Category(key).label), "value": orgs["by_category"][key]}
                for key in orgs["by_category"]
            ],
            "legal_status": [
                {"key": key, "name": str(Organization.LegalStatus(key).label), "value": orgs["by_legal_status"][key]}
                for key in orgs["by_legal_status"]
            ],
            "communities": [{"name": row["label"], "value": row["active"], "url": row["url"]} for row in rows],
        }
    )
    dctx.chart_data.setdefault("labels", {}).update(
        {
            "organizations": gettext("Organizations"),
            "share": gettext("Share"),
            "drill": gettext("Click a bar to see that community"),
        }
    )
    area = dctx.figure_context.area
    return {
        "org_list_url": (
            f"{reverse('registry:organization-list')}?{urlencode({'community': area.pk})}"
            if dctx.is_community and area is not None
            else ""
        ),
    }


def _public_home(request: Any, obj: Any) -> dict[str, Any]:
    return {"counts": selectors.public_counts()}


LABELS: dict[tuple[str, ...], tuple[str, str]] = {
    ("organizations",): ("组织", "Organizations"),
    ("organizations", "active"): ("活跃组织", "Active organizations"),
    ("organizations", "by_nature"): ("按组织性质", "By nature"),
    ("organizations", "by_nature", "association"): ("社团型", "Association-type"),
    ("organizations", "by_nature", "service"): ("民非型", "Service-type"),
    ("organizations", "by_category"): ("按功能类别", "By category"),
    ("organizations", "by_category", "charity"): ("公益慈善", "Charity"),
    ("organizations", "by_category", "life"): ("生活服务", "Life services"),
    ("organizations", "by_category", "affairs"): ("社区事务", "Community affairs"),
    ("organizations", "by_category", "culture"): ("文体活动", "Culture and sports"),
    ("organizations", "by_legal_status"): ("按登记状态", "By legal status"),
    ("organizations", "by_legal_status", "filed"): ("备案", "Filed"),
    ("organizations", "by_legal_status", "registered"): ("登记", "Registered"),
    ("organizations", "by_community"): ("按社区", "By community"),
    ("members",): ("成员", "Members"),
    ("members", "memberships"): ("成员人次", "Memberships"),
    ("members", "people"): ("成员人数", "People"),
    ("party",): ("党建", "Party building"),
    ("party", "orgs_with_party_members"): ("有党员的组织", "Organizations with party members"),
    ("party", "party_members"): ("党员", "Party members"),
    ("party", "party_member_leaders"): ("党员负责人", "Party-member leaders"),
    ("party", "party_branches"): ("党支部", "Party branches"),
    ("party", "party_clause_in_charter"): ("党建入章", "Party clause in charter"),
}

CONTRIBUTIONS = (
    UrlMount("", "sifu.registry.urls"),
    ApiRoute("organizations", "sifu.registry.api.OrganizationViewSet", "organization"),
    NavItem(
        Stage.INCUBATE, _("Organizations"), "registry:organization-list", Perm.ORG_VIEW, "/office/organizations/", 60
    ),
    NavItem(Stage.INCUBATE, _("People"), "registry:person-list", Perm.PEOPLE_VIEW, "/office/people/", 70),
    NavItem(Stage.INCUBATE, _("Import"), "registry:import", Perm.ORG_IMPORT, "/office/import/", 90),
    HomeTiles(
        name="summary",
        perm=Perm.ORG_VIEW,
        compute=lambda user, today: selectors.office_summary(user),
        tiles=_summary_tiles,
        order=10,
    ),
    HomeSection(
        name="recent",
        perm=Perm.ORG_VIEW,
        compute=lambda user, today: selectors.recent_status_changes(user),
        template="registry/home_recent.html",
        empty=[],
        order=90,
    ),
    PublicLink(_("Organizations"), "registry:public-directory", 10),
    PublicSection(page="home", template="registry/public/home_hero.html", context=_public_home, order=10),
    FigureSection(
        key="organizations",
        compute=_figures,
        labels=LABELS,
        dashboard_template="registry/dashboard_section.html",
        dashboard=_dashboard,
        order=10,
    ),
)
