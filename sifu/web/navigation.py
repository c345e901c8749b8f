"""The office navigation, grouped by the four stages of the 4Fu method (DESIGN.md §1).

Each item names the permission it needs; a user sees only the items they can use, and a stage
group appears only when it holds at least one item. Later stages add their items here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sifu.core.permissions import Perm


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url_name: str
    perm: str
    match: str  # URL prefix that marks the item current


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: StrOrPromise
    items: tuple[NavItem, ...]


NAVIGATION: tuple[NavGroup, ...] = (
    NavGroup(
        "incubate",
        _("Incubate · 孵化"),
        (
            NavItem(_("Needs"), "incubation:need-list", Perm.NEEDS_VIEW, "/office/needs/"),
            NavItem(_("Gap map"), "incubation:gap-map", Perm.NEEDS_VIEW, "/office/incubation/gaps/"),
            NavItem(_("Incubation cases"), "incubation:case-list", Perm.CASES_VIEW, "/office/incubation/cases/"),
            NavItem(_("Filings"), "incubation:filing-list", Perm.FILING_VIEW, "/office/filings/"),
            NavItem(
                _("Leader candidates"),
                "incubation:candidate-overview",
                Perm.CASES_VIEW,
                "/office/incubation/candidates/",
            ),
            NavItem(_("Organizations"), "registry:organization-list", Perm.ORG_VIEW, "/office/organizations/"),
            NavItem(_("People"), "registry:person-list", Perm.PEOPLE_VIEW, "/office/people/"),
            NavItem(_("Service plans"), "incubation:plan-list", Perm.PLANS_VIEW, "/office/plans/"),
            NavItem(_("Import"), "registry:import", Perm.ORG_IMPORT, "/office/import/"),
        ),
    ),
    NavGroup("support", _("Support · 扶持"), ()),
    NavGroup("coach", _("Coach · 辅导"), ()),
    NavGroup("empower", _("Empower · 赋力"), ()),
    NavGroup(
        "outcomes",
        _("Outcomes · 成效"),
        (NavItem(_("Dashboard"), "outcomes:dashboard", Perm.OUTCOMES_VIEW, "/office/dashboard/"),),
    ),
    NavGroup(
        "admin",
        _("Administration"),
        (
            NavItem(_("Accounts and roles"), "accounts:user-list", Perm.ACCOUNTS_MANAGE, "/office/accounts/"),
            NavItem(_("Areas"), "accounts:area-list", Perm.AREA_MANAGE, "/office/areas/"),
            NavItem(_("Personal data views"), "privacy:view-list", Perm.PRIVACY_LOG_VIEW, "/office/privacy/"),
        ),
    ),
)


def navigation_for(user: object, path: str) -> list[dict[str, object]]:
    groups: list[dict[str, object]] = []
    for group in NAVIGATION:
        items = [
            {"label": item.label, "url": reverse(item.url_name), "current": path.startswith(item.match)}
            for item in group.items
            if user.has_perm(item.perm)  # type: ignore[attr-defined]
        ]
        if items:
            groups.append({"key": group.key, "label": group.label, "items": items})
    return groups
