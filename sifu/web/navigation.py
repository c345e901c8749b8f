"""The office navigation, grouped by the four stages of the 4Fu method (DESIGN.md §1).

The items are what the installed apps contribute (``NavItem`` in their ``contributions.py``, see
``sifu.core.contributions``); each names the permission it needs. A user sees only the items they
can use, and a stage group appears only when it holds at least one item.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.urls import reverse

from sifu.core.contributions import STAGE_LABELS, NavItem, Stage, contributed, holds


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: Any
    items: tuple[NavItem, ...]


def navigation_groups() -> list[NavGroup]:
    """Every stage group, in the stages' order, with the items contributed to it (in order)."""
    items = contributed(NavItem)
    return [NavGroup(stage.value, STAGE_LABELS[stage], tuple(i for i in items if i.stage == stage)) for stage in Stage]


class _Navigation(Sequence[NavGroup]):
    """``NAVIGATION``: the groups, read from the contributions when used (after the apps are ready)."""

    def __iter__(self) -> Iterator[NavGroup]:
        return iter(navigation_groups())

    def __len__(self) -> int:
        return len(navigation_groups())

    @overload
    def __getitem__(self, index: int) -> NavGroup: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[NavGroup]: ...
    def __getitem__(self, index: int | slice) -> NavGroup | Sequence[NavGroup]:
        return navigation_groups()[index]


NAVIGATION: Sequence[NavGroup] = _Navigation()


def navigation_for(user: Any, path: str) -> list[dict[str, object]]:
    groups = []
    for group in NAVIGATION:
        items = [
            {"label": item.label, "url": reverse(item.url_name), "current": path.startswith(item.match)}
            for item in group.items
            if holds(user, item.perm)
        ]
        if items:
            groups.append({"key": group.key, "label": group.label, "items": items})
    return groups
