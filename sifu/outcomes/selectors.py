"""Outcome figures (成效), composed from other apps' selectors; outcomes has no models of its own.

``outcomes()`` is the one dict the ``outcomes`` command prints as JSON and the office dashboard
shows. It is a composition of the ``FigureSection``s the installed apps contribute (their
``contributions.py``): each takes one ``FigureContext`` (the period, the area, shared reads) and
returns top-level keys. Everything is computed from records at ``as_of`` by SQL aggregates in the
owning app's selectors.

Figures about events (filings approved, conversions to registration …) count those of the period
from ``start`` (``"from"``; default January 1 of the ``as_of`` year) to ``as_of``, both included.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from django.db.models import Q

from sifu.accounts.models import Area
from sifu.core.contributions import FigureContext, FigureSection, Period, contributed, default_start
from sifu.core.permissions import Scope
from sifu.registry.selectors import labelled_community_figures, tree_key

__all__ = ["ALL_AREAS", "SectionContext", "community_rows", "outcomes", "period_start", "tree_key"]

ALL_AREAS = "全部"  # the "area" value when figures cover every area of the deployment

Rows = list[dict[str, Any]]


class SectionContext(FigureContext):
    """A ``FigureContext`` (``sifu.core.contributions``) that names the shared reads the dashboard
    uses: the per-community rows (read once by the registry's section) and the period's start."""

    @property
    def community_rows(self) -> Rows | None:
        return self.shared.get("community_rows")

    @property
    def start(self) -> dt.date | None:
        return self.period.start if self.period is not None else None


def period_start(as_of: dt.date, start: dt.date | None = None) -> dt.date:
    """The first day of the period ending ``as_of``: ``start``, else January 1 of the same year."""
    return start if start is not None else default_start(as_of)


def community_rows(*, as_of: dt.date, area: Area | None) -> Rows:
    """Per-community rows (3 queries) in tree order, labelled uniquely (the registry's selector)."""
    return labelled_community_figures(as_of, area=area)


def outcomes(
    *, as_of: dt.date, area: Area | None, start: dt.date | None = None, ctx: FigureContext | None = None
) -> dict[str, Any]:
    """The outcome figures of ``area`` (None: every area) on ``as_of``; event figures count the period
    from ``start`` (default: January 1 of the ``as_of`` year) to ``as_of``. Each installed app's
    ``FigureSection`` adds its top-level keys, all computed for the same ``Period``."""
    ctx = ctx if ctx is not None else FigureContext()
    ctx.period = Period.ending(as_of, start)
    ctx.area = area
    result: dict[str, Any] = {
        "as_of": ctx.period.as_of.isoformat(),
        "area": area.name if area is not None else ALL_AREAS,
        "from": ctx.period.start.isoformat(),
    }
    for section in contributed(FigureSection):
        result.update(section.compute(ctx))
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
