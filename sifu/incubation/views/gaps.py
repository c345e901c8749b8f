"""The gap map (需求缺口图): communities side by side for subdistrict staff, one community's page for
community staff, each ranking the needs nobody serves as "what to incubate next".

Reads go through ``incubation.selectors``. A community's page reads the gap map of the user's
Perm.NEEDS_VIEW communities filtered to the one asked for: fetched and authorised in the same
query, 404 outside the scope.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest, office_view
from sifu.incubation import selectors
from sifu.incubation.models import Need
from sifu.incubation.selectors.gaps import CATEGORIES
from sifu.registry.models import Organization

# How many ranked gaps a community page lists (the count says how many there are).
GAP_LIST_LIMIT = 50


def _case_create_url() -> str:
    """The form that opens an incubation case (``?need=<pk>`` preselects the need)."""
    return reverse("incubation:case-create")


def _need_list_url(**filters: Any) -> str:
    return f"{reverse('incubation:need-list')}?{urlencode(filters)}"


def _chart_data(rows: list[selectors.CommunityGaps], several_parents: bool) -> dict[str, Any]:
    """Active organizations per community and category, with the target, for the bar chart."""
    return {
        "communities": [
            f"{row.parent_name}/{row.community.name}" if several_parents else row.community.name for row in rows
        ],
        "urls": [reverse("incubation:gap-community", args=[row.community.pk]) for row in rows],
        "series": [
            {"key": key, "name": str(label), "data": [row.organizations[key] for row in rows]}
            for key, label in ((key, Organization.Category(key).label) for key in CATEGORIES)
        ],
        "target": selectors.COMMUNITY_TARGET,
        "labels": {"target": _("Target: %(n)s") % {"n": selectors.COMMUNITY_TARGET}},
    }


def _community_page(request: HttpRequest, row: selectors.CommunityGaps, *, several: bool) -> HttpResponse:
    user = request.user
    community = row.community
    can_open_case = user.has_perm(Perm.CASES_CHANGE, community)
    context = {
        "row": row,
        "community": community,
        "categories": row.by_category(),
        "totals": row.need_totals,
        "gaps": row.gaps[:GAP_LIST_LIMIT],
        "gap_count": len(row.gaps),
        "target": selectors.COMMUNITY_TARGET,
        "several": several,
        "case_create_url": _case_create_url() if can_open_case else "",
        "queue_url": _need_list_url(community=community.pk, status=Need.Status.SUBMITTED),
        "needs_url": _need_list_url(community=community.pk),
        "today": timezone.localdate(),
    }
    return render(request, "incubation/gap_community.html", context)


@office_view(Perm.NEEDS_VIEW)
def gap_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The communities of one subdistrict side by side; a single community's page directly. Users whose
    scope spans several subdistricts first see the subdistricts side by side (``?subdistrict=<pk>``
    opens one), so no page lists a whole district's or city's communities and their gaps."""
    user = request.user
    communities = selectors.gap_communities(user)
    subdistricts = selectors.gap_subdistricts(communities)
    chosen = None
    if len(subdistricts) > 1:
        chosen = next((area for area in subdistricts if str(area.pk) == request.GET.get("subdistrict")), None)
        if chosen is None:
            return _subdistricts_page(request, communities)
        communities = communities.filter(parent=chosen)
    rows = selectors.gap_map(communities)
    if len(rows) == 1 and chosen is None:
        return _community_page(request, rows[0], several=False)
    several_parents = len({row.community.parent_id for row in rows}) > 1
    context = {
        "subdistrict": chosen,
        "rows": rows,
        "totals": selectors.gap_totals(rows),
        "target": selectors.COMMUNITY_TARGET,
        "several_parents": several_parents,
        "chart_data": _chart_data(rows, several_parents),
        "categories": [(key, Organization.Category(key).label) for key in CATEGORIES],
    }
    return render(request, "incubation/gap_map.html", context)


def _subdistricts_page(request: HttpRequest, communities: Any) -> HttpResponse:
    rows = selectors.gap_map(communities, with_gaps=False)
    context = {
        "groups": selectors.by_subdistrict(rows),
        "totals": selectors.gap_totals(rows),
        "community_count": len(rows),
        "target": selectors.COMMUNITY_TARGET,
        "categories": [(key, Organization.Category(key).label) for key in CATEGORIES],
    }
    return render(request, "incubation/gap_subdistricts.html", context)


@office_view()
def gap_community(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One community of the user's scope (404 otherwise: fetch and authorise in the same query)."""
    user = request.user
    rows = selectors.gap_map(selectors.gap_communities(user).filter(pk=pk))
    if not rows:
        raise Http404(_("No such community among yours."))
    several = selectors.gap_communities(user).exclude(pk=pk).exists()
    return _community_page(request, rows[0], several=several)


urls = [
    path("office/incubation/gaps/", gap_map, name="gap-map"),
    path("office/incubation/gaps/<int:pk>/", gap_community, name="gap-community"),
]
