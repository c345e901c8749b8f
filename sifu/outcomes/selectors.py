"""Outcome figures (成效), composed from other apps' selectors; outcomes has no models of its own.

``outcomes()`` is the one dict the ``outcomes`` command prints as JSON and the office dashboard
shows. It is a composition of sections, one per app: each section takes the date and the area
and returns top-level keys. Later stages (grants, activities …) append a section.
Everything is computed from records at ``as_of`` by SQL aggregates in the owning app's selectors.

Figures about events (filings approved, conversions to registration …) count those of the period
from ``start`` (``"from"``; default January 1 of the ``as_of`` year) to ``as_of``, both included.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from sifu.accounts.models import Area
from sifu.core.permissions import Scope
from sifu.incubation.selectors import incubation_figures
from sifu.registry.selectors import community_figures, registry_figures

ALL_AREAS = "全部"  # the "area" value when figures cover every area of the deployment

Rows = list[dict[str, Any]]
Section = Callable[[dt.date, Area | None, "SectionContext"], dict[str, Any]]


@dataclass
class SectionContext:
    """Reads that several sections or the dashboard share, computed once per call."""

    community_rows: Rows | None = None
    start: dt.date | None = None  # first day of the period the event figures count


def period_start(as_of: dt.date, start: dt.date | None = None) -> dt.date:
    """The first day of the period ending ``as_of``: ``start``, else January 1 of the same year."""
    return start if start is not None else as_of.replace(month=1, day=1)


def tree_key(path: str) -> list[int]:
    """Tree order of a materialized path of primary keys: "1/2/10/" after "1/2/3/" (a string sort
    would put it first), children right after their parent."""
    return [int(pk) for pk in path.split("/") if pk]


def community_rows(*, as_of: dt.date, area: Area | None) -> Rows:
    """Per-community rows (3 queries) in tree order, labelled uniquely: "南山社区", or
    "南山街道/南山社区" when two communities in view share a name."""
    rows = sorted(community_figures(as_of, area=area), key=lambda row: tree_key(row["path"]))
    counts = Counter(row["name"] for row in rows)
    for row in rows:
        row["label"] = f"{row['parent_name']}/{row['name']}" if counts[row["name"]] > 1 else row["name"]
    return rows


def registry_section(as_of: dt.date, area: Area | None, ctx: SectionContext) -> dict[str, Any]:
    """Organizations, members and party building (registry): 2 + 3 queries (the per-community
    rows are read once per call and shared with the dashboard)."""
    figures = registry_figures(as_of, area=area)
    if ctx.community_rows is None:
        ctx.community_rows = community_rows(as_of=as_of, area=area)
    # Every community under the area, zeros included, in tree order, so the drill-down shows them all.
    figures["organizations"]["by_community"] = {row["label"]: row["active"] for row in ctx.community_rows}
    return figures


def incubation_section(as_of: dt.date, area: Area | None, ctx: SectionContext) -> dict[str, Any]:
    """Needs, incubation cases, filings and conversions (incubation): 5 queries."""
    return {"incubation": incubation_figures(start=period_start(as_of, ctx.start), end=as_of, area=area)}


SECTIONS: list[Section] = [registry_section, incubation_section]


def outcomes(
    *, as_of: dt.date, area: Area | None, start: dt.date | None = None, ctx: SectionContext | None = None
) -> dict[str, Any]:
    """The outcome figures of ``area`` (None: every area) on ``as_of``; event figures count the period
    from ``start`` (default: January 1 of the ``as_of`` year) to ``as_of``."""
    ctx = ctx if ctx is not None else SectionContext()
    ctx.start = period_start(as_of, start if start is not None else ctx.start)
    if ctx.start > as_of:
        raise ValueError(f"The period starts ({ctx.start}) after it ends ({as_of}).")
    result: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "area": area.name if area is not None else ALL_AREAS,
        "from": ctx.start.isoformat(),
    }
    for section in SECTIONS:
        result.update(section(as_of, area, ctx))
    return result


# Areas -----------------------------------------------------------------------------------------


class AreaLookupError(LookupError):
    """An area name that matches no area or several; ``str()`` says what to do."""


def _ancestor_ids(area: Area) -> list[int]:
    return [int(pk) for pk in area.path.strip("/").split("/")[:-1] if pk]


def area_path_names(areas: list[Area]) -> dict[int, str]:
    """Each area's full name path ("南山区/南山街道/南山社区"), with one query for the ancestors."""
    ids = {pk for area in areas for pk in _ancestor_ids(area)}
    names = dict(Area.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return {area.pk: "/".join([*(names.get(pk, "?") for pk in _ancestor_ids(area)), area.name]) for area in areas}


def find_area(name: str) -> Area:
    """The area called ``name``, or named by a path of names ending in it ("南山区/南山街道").

    Raises AreaLookupError listing near matches when nothing matches, or the candidates in path
    form when the name is ambiguous.
    """
    parts = [p.strip() for p in name.replace("／", "/").split("/") if p.strip()]
    if not parts:
        raise AreaLookupError("Give an area name, e.g. --area 南山街道.")
    candidates = list(Area.objects.filter(name=parts[-1]).order_by("path"))
    paths = area_path_names(candidates)
    if len(parts) > 1:
        wanted = "/".join(parts)
        candidates = [a for a in candidates if paths[a.pk] == wanted or paths[a.pk].endswith("/" + wanted)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        listed = "; ".join(paths[a.pk] for a in candidates)
        example = paths[candidates[0].pk]
        raise AreaLookupError(
            f"“{name}” names {len(candidates)} areas: {listed}. Give the parent too, e.g. --area {example}"
        )
    near = near_area_names(parts[-1])
    hint = f" Did you mean: {', '.join(near)}?" if near else ""
    raise AreaLookupError(f"No area is called “{name}”.{hint}")


def near_area_names(name: str, limit: int = 8) -> list[str]:
    """Area names that contain ``name``, contain it, or look like it (one query)."""
    names = sorted(set(Area.objects.values_list("name", flat=True)))
    containing = [n for n in names if name in n or n in name]
    close = difflib.get_close_matches(name, names, n=limit, cutoff=0.4)
    return list(dict.fromkeys([*containing, *close]))[:limit]


def default_area() -> Area | None:
    """The single top area when there is exactly one, else None (every area)."""
    roots = list(Area.objects.filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None


# Areas a user may look at ------------------------------------------------------------------------

# Organizations belong to communities, so the dashboard offers areas down to community level.
DASHBOARD_KINDS = (Area.Kind.CITY, Area.Kind.DISTRICT, Area.Kind.SUBDISTRICT, Area.Kind.COMMUNITY)


def areas_in_scope(scope: Scope) -> list[Area]:
    """The areas of a scope (one query): every area under a granted area, in tree order."""
    if scope.empty:
        return []
    qs = Area.objects.filter(kind__in=DASHBOARD_KINDS)
    if not scope.everywhere:
        q = Q(pk__in=[])
        for path in scope.area_paths:
            q |= Q(path__startswith=path)
        qs = qs.filter(q)
    return sorted(qs, key=lambda area: tree_key(area.path))
