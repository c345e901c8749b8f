"""The office dashboard (成效): the same figures as the ``outcomes`` command, with charts and a
per-community drill-down, for the areas in the user's OUTCOMES_VIEW scope; its incubation section
adds the gap map's summary (active organizations per community against the target, open needs and
gaps), linking to the gap pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from sifu.accounts.models import Area
from sifu.core.permissions import Perm, scope_for
from sifu.core.views import AuthenticatedHttpRequest
from sifu.incubation import selectors as incubation_selectors
from sifu.outcomes.selectors import ALL_AREAS, SectionContext, areas_in_scope, outcomes, period_start
from sifu.registry.models import Organization


def _parse_as_of(request: HttpRequest) -> dt.date:
    raw = request.GET.get("as_of", "").strip()
    today = timezone.localdate()
    if not raw:
        return today
    try:
        return dt.datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        messages.error(
            request,
            _("“%(value)s” is not a date written YYYY-MM-DD; showing today's figures instead.") % {"value": raw},
        )
        return today


def _parse_start(request: HttpRequest, as_of: dt.date) -> dt.date | None:
    """The first day of the period (``?from=``), or None for the default (January 1 of the as-of year)."""
    raw = request.GET.get("from", "").strip()
    if not raw:
        return None
    default = period_start(as_of).isoformat()
    try:
        start = dt.datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        messages.error(
            request,
            _("“%(value)s” is not a date written YYYY-MM-DD; the period starts on %(default)s instead.")
            % {"value": raw, "default": default},
        )
        return None
    if start > as_of:
        messages.error(
            request,
            _("The period cannot start (%(start)s) after its end (%(end)s); it starts on %(default)s instead.")
            % {"start": start.isoformat(), "end": as_of.isoformat(), "default": default},
        )
        return None
    return start


def _chosen_area(request: HttpRequest, areas: list[Area], everywhere: bool) -> Area | None:
    """The area asked for in ``?area=``, among the user's areas (404 otherwise); by default the
    user's top area, or every area for a user who sees everything and there are several roots."""
    raw = request.GET.get("area", "").strip()
    if raw:
        by_pk = {str(area.pk): area for area in areas}
        if raw not in by_pk:
            raise Http404(_("No such area among yours."))
        return by_pk[raw]
    if everywhere and sum(1 for a in areas if a.parent_id is None) != 1:
        return None
    return areas[0] if areas else None


def _dashboard_url(area_pk: int | None, as_of: dt.date, start: dt.date | None = None) -> str:
    query = {"as_of": as_of.isoformat()}
    if area_pk is not None:
        query = {"area": str(area_pk), **query}
    if start is not None:
        query["from"] = start.isoformat()
    return f"{reverse('outcomes:dashboard')}?{urlencode(query)}"


def _breadcrumb(
    area: Area | None, areas: list[Area], as_of: dt.date, start: dt.date | None = None
) -> list[dict[str, Any]]:
    """Ancestors of the area (one query when it has any), linked when the user may open them."""
    if area is None:
        return []
    ids = [int(pk) for pk in area.path.strip("/").split("/")[:-1]]
    mine = {a.pk for a in areas}
    ancestors = list(Area.objects.filter(pk__in=ids).order_by("depth")) if ids else []
    crumbs = [{"name": a.name, "url": _dashboard_url(a.pk, as_of, start) if a.pk in mine else ""} for a in ancestors]
    return [*crumbs, {"name": area.name, "url": ""}]


def _chart_data(figures: dict[str, Any], rows: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    orgs = figures["organizations"]
    return {
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
        "target": incubation_selectors.COMMUNITY_TARGET,
        "labels": {
            "target": _("Target: %(n)s") % {"n": incubation_selectors.COMMUNITY_TARGET},
            "organizations": _("Organizations"),
            "share": _("Share"),
            "drill": _("Click a bar to see that community"),
        },
        "as_of": as_of.isoformat(),
    }


def _incubation(user: Any, figures: dict[str, Any], rows: list[dict[str, Any]], area: Area | None) -> dict[str, Any]:
    """The incubation section: the figures with their labels, and the gap map's summary per community
    (active organizations on the as-of date against the target; open needs and gaps now), one query."""
    target = incubation_selectors.COMMUNITY_TARGET
    needs = incubation_selectors.needs_by_community(area)
    can_open_gaps = user.has_perm(Perm.NEEDS_VIEW)
    gap_rows = []
    for row in rows:
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
        "stages": [(label, figures["cases_by_stage"][key]) for key, label in incubation_selectors.stage_labels()],
        "pending": [(label, pending[key]) for key, label in incubation_selectors.pending_labels()],
        "pending_total": sum(pending.values()),
        "cases_total": sum(figures["cases_by_stage"].values()),
        "target": target,
        "gap_rows": gap_rows,
        "under_target": sum(1 for row in gap_rows if row["shortfall"]),
        "gap_map_url": reverse("incubation:gap-map") if can_open_gaps else "",
    }


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm(Perm.OUTCOMES_VIEW):
        raise PermissionDenied
    scope = scope_for(user, Perm.OUTCOMES_VIEW)
    areas = areas_in_scope(scope)
    area = _chosen_area(request, areas, scope.everywhere)
    if area is None and not scope.everywhere:
        raise PermissionDenied
    as_of = _parse_as_of(request)
    start = _parse_start(request, as_of)

    ctx = SectionContext()
    figures = outcomes(as_of=as_of, area=area, start=start, ctx=ctx)
    rows = ctx.community_rows or []
    for row in rows:
        row["url"] = _dashboard_url(row["id"], as_of, start)
    is_community = area is not None and area.kind == Area.Kind.COMMUNITY
    min_depth = min((a.depth for a in areas), default=0)
    context = {
        "area": area,
        "area_name": area.name if area is not None else ALL_AREAS,
        "as_of": as_of,
        "today": timezone.localdate(),
        "figures": figures,
        "rows": rows,
        "is_community": is_community,
        "area_choices": [(a, "\u3000" * (a.depth - min_depth)) for a in areas],
        "offer_all": scope.everywhere,
        "breadcrumb": _breadcrumb(area, areas, as_of, start),
        "chart_data": _chart_data(figures, rows, as_of),
        "period_start": ctx.start,
        "start_given": start,
        "incubation": _incubation(user, figures["incubation"], rows, area),
        "org_list_url": (
            f"{reverse('registry:organization-list')}?{urlencode({'community': area.pk})}"
            if is_community and area is not None
            else ""
        ),
    }
    return render(request, "outcomes/dashboard.html", context)
