"""The office dashboard (成效): the same figures as the ``outcomes`` command, for the areas in the
user's OUTCOMES_VIEW scope, with a per-community drill-down. Below the dates and the area, each
contributed ``FigureSection`` with a dashboard template shows its block (the registry's tiles,
charts and per-community table; incubation's figures and gap summary; …)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from sifu.accounts.models import Area
from sifu.core.contributions import DashboardContext, FigureSection, contributed
from sifu.core.permissions import Perm, scope_for
from sifu.core.views import AuthenticatedHttpRequest, office_view
from sifu.outcomes.selectors import ALL_AREAS, SectionContext, areas_in_scope, outcomes, period_start


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


@office_view(Perm.OUTCOMES_VIEW)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
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
    dctx = DashboardContext(
        user=user,
        figures=figures,
        figure_context=ctx,
        is_community=is_community,
        chart_data={"labels": {}},
    )
    blocks: dict[str, Any] = {}
    templates = []
    for section in contributed(FigureSection):
        if section.dashboard is None or not section.dashboard_template:
            continue
        extra = section.dashboard(dctx)
        if extra is not None:
            blocks.update(extra)
            templates.append(section.dashboard_template)
    dctx.chart_data["as_of"] = as_of.isoformat()
    context = {
        **blocks,
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
        "chart_data": dctx.chart_data,
        "period_start": ctx.start,
        "start_given": start,
        "dashboard_blocks": templates,
    }
    return render(request, "outcomes/dashboard.html", context)
