"""The kinds of contribution (frozen dataclasses an app lists in its ``CONTRIBUTIONS``) and the
helpers that compose them for the shared pages (``office_home``, ``panels``, ``public_sections``).
Re-exported by ``sifu.core.contributions``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sifu.core.contributions.registry import contributed

if TYPE_CHECKING:
    from django.http import HttpRequest

    from sifu.accounts.models import Area

Label = str | Promise  # a source string, usually gettext_lazy


def holds(user: Any, perm: str | tuple[str, ...]) -> bool:
    """``user`` holds ``perm`` somewhere ("" : everyone; a tuple: any of them)."""
    if not perm:
        return True
    perms = (perm,) if isinstance(perm, str) else perm
    return any(user.has_perm(p) for p in perms)


# --- URLs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlMount:
    """The app's URLconf ``module``, mounted at ``prefix`` by ``config/urls.py``."""

    prefix: str
    module: str
    order: int = 100


@dataclass(frozen=True)
class ApiRoute:
    """A viewset of the API (``/api/v1/<prefix>/``), registered on ``sifu.api``'s one router;
    ``viewset`` is its dotted path, imported when the URLconf loads."""

    prefix: str
    viewset: str
    basename: str
    order: int = 100


# --- office navigation ----------------------------------------------------------------------------


class Stage(StrEnum):
    """The groups of the office navigation: the four stages of the 4Fu method, then the rest."""

    INCUBATE = "incubate"
    SUPPORT = "support"
    COACH = "coach"
    EMPOWER = "empower"
    OUTCOMES = "outcomes"
    ADMIN = "admin"


STAGE_LABELS: dict[Stage, Label] = {
    Stage.INCUBATE: _("Incubate · 孵化"),
    Stage.SUPPORT: _("Support · 扶持"),
    Stage.COACH: _("Coach · 辅导"),
    Stage.EMPOWER: _("Empower · 赋力"),
    Stage.OUTCOMES: _("Outcomes · 成效"),
    Stage.ADMIN: _("Administration"),
}


@dataclass(frozen=True)
class NavItem:
    """An item of the office navigation, shown to users holding ``perm`` somewhere."""

    stage: Stage
    label: Label
    url_name: str
    perm: str
    match: str  # URL prefix that marks the item current
    order: int = 100


# --- the office home ------------------------------------------------------------------------------


class Urgency(StrEnum):
    NORMAL = "normal"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Todo:
    """One to-do item on the office home, computed for a user: how many things wait, where."""

    key: str  # stable, e.g. "incubation.filings.to_check"
    label: Label
    count: int
    url: str
    urgency: Urgency = Urgency.NORMAL

    @property
    def clear(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class Tile:
    """A figure tile on the office home: a value, what it counts, where it leads."""

    value: Any
    label: Label
    url: str


@dataclass(frozen=True, kw_only=True)
class HomeBlock:
    """Something on the office home, computed for users holding ``perm`` (``compute(user, today)``).

    What ``compute`` returns is in the page's context under ``name`` (``empty`` for users without
    the permission); the block is shown unless it is None. The block renders with ``template``,
    which receives it as ``block`` (``block.data``, ``block.items``) beside the page's context."""

    name: str
    perm: str | tuple[str, ...]
    compute: Callable[[Any, dt.date], Any]
    template: str = ""
    empty: Any = None
    order: int = 100

    def items(self, data: Any, user: Any) -> list[Any]:
        return []

    def shown(self, data: Any, items: list[Any]) -> bool:
        return data is not None


@dataclass(frozen=True, kw_only=True)
class HomeTiles(HomeBlock):
    """Figure tiles: ``tiles(data)`` turns what ``compute`` read (one query for all) into tiles."""

    tiles: Callable[[Any], Sequence[Tile]]
    template: str = "web/_home_tiles.html"

    def items(self, data: Any, user: Any) -> list[Any]:
        return list(self.tiles(data))


@dataclass(frozen=True, kw_only=True)
class HomeTodos(HomeBlock):
    """To-do items: ``todos(data, user)`` turns what ``compute`` read (one query for the group)
    into items. Items with a zero count stay in their group (it then reads "all clear"), unless
    ``hide_when_clear``: then a group whose items are all zero is not shown."""

    todos: Callable[[Any, Any], Sequence[Todo]]
    hide_when_clear: bool = False

    def items(self, data: Any, user: Any) -> list[Any]:
        return list(self.todos(data, user))

    def shown(self, data: Any, items: list[Any]) -> bool:
        if data is None:
            return False
        return not (self.hide_when_clear and all(item.clear for item in items))


@dataclass(frozen=True, kw_only=True)
class HomeSection(HomeBlock):
    """A section of its own (a table, a list) rendered by the contributing app's ``template``."""


@dataclass(frozen=True)
class ShownBlock:
    template: str
    data: Any
    items: list[Any]


def office_home(user: Any, today: dt.date) -> tuple[dict[str, Any], list[ShownBlock]]:
    """The office home's contributed blocks for ``user``: the context (every block's data under its
    name) and the blocks to show, in order. A block costs nothing for users without its perm."""
    context: dict[str, Any] = {}
    shown: list[ShownBlock] = []
    for block in contributed(HomeBlock):
        if not holds(user, block.perm):
            context[block.name] = block.empty
            continue
        data = block.compute(user, today)
        context[block.name] = data
        items = block.items(data, user) if data is not None else []
        if block.shown(data, items):
            shown.append(ShownBlock(block.template, data, items))
    return context, shown


# --- panels on the organization and person pages ----------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Panel:
    """A panel on an object's office page: ``context(request, obj)`` returns the template's
    context, or None to hide the panel. It must cost at most one query, and none for users
    who will not see it."""

    template: str
    context: Callable[[HttpRequest, Any], Mapping[str, Any] | None]
    order: int = 100


@dataclass(frozen=True, kw_only=True)
class OrganizationPanel(Panel):
    """A panel on the organization page, under its head and warnings, above the tabs."""


@dataclass(frozen=True, kw_only=True)
class PersonPanel(Panel):
    """A panel on the person page, at the end of the page (after the timeline)."""


@dataclass(frozen=True)
class OrganizationAction:
    """A button in the organization page's head, for users holding ``perm`` somewhere; its URL
    is ``url_name`` with the organization's pk."""

    label: Label
    url_name: str
    perm: str
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    template: str
    context: Mapping[str, Any]


def panels(kind: type[Panel], request: HttpRequest, obj: Any) -> list[ShownPanel]:
    """The panels of ``kind`` that show for this request and object, in order."""
    shown = []
    for panel in contributed(kind):
        context = panel.context(request, obj)
        if context is not None:
            shown.append(ShownPanel(panel.template, context))
    return shown


# --- the public site --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicLink:
    """A link in the public site's header."""

    label: Label
    url_name: str
    order: int = 100


@dataclass(frozen=True, kw_only=True)
class PublicSection:
    """A section of a public page: ``page`` is "home" (the home's cards) or "organization" (the
    organization's profile). ``context(request, obj)`` (obj: None on the home) returns the
    template's context, or None to hide it."""

    page: str
    template: str
    context: Callable[[HttpRequest, Any], Mapping[str, Any] | None]
    order: int = 100


def public_sections(page: str, request: HttpRequest, obj: Any = None) -> list[ShownPanel]:
    shown = []
    for section in contributed(PublicSection):
        if section.page != page:
            continue
        context = section.context(request, obj)
        if context is not None:
            shown.append(ShownPanel(section.template, context))
    return shown


# --- figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The one meaning of "as of" and "period" for every figure: records' state is read on ``end``
    (the as-of date); events are counted from ``start`` to ``end``, both days included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"The period starts ({self.start}) after it ends ({self.end}).")

    @property
    def as_of(self) -> dt.date:
        return self.end

    @classmethod
    def ending(cls, as_of: dt.date, start: dt.date | None = None) -> Period:
        """The period ending ``as_of``, from ``start`` (default: January 1 of the same year)."""
        return cls(start if start is not None else default_start(as_of), as_of)


def default_start(as_of: dt.date) -> dt.date:
    return as_of.replace(month=1, day=1)


@dataclass
class FigureContext:
    """One computation of the figures: the period, the area (None: every area) and the reads that
    several sections or the dashboard share, each computed once (``shared``)."""

    period: Period | None = None
    area: Area | None = None
    shared: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]


@dataclass
class DashboardContext:
    """What the office dashboard hands each section's ``dashboard`` callable: the user, the
    figures (the same dict as ``outcomes --json``), the computation's context, whether the area is
    one community and the chart data (one dict for ``outcomes/dashboard.js``, which sections add to)."""

    user: Any
    figures: dict[str, Any]
    figure_context: FigureContext
    is_community: bool
    chart_data: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class FigureSection:
    """A section of the outcome figures: ``compute(ctx)`` returns top-level keys of the figures
    (``outcomes --json``), reading the records on ``ctx.period.as_of`` and counting events in
    ``ctx.period``. ``labels`` name its keys in the command's table, (key, …) → (Chinese, English).
    ``dashboard(dctx)`` returns context variables for ``dashboard_template`` (None: not shown)."""

    key: str
    compute: Callable[[FigureContext], dict[str, Any]]
    labels: Mapping[tuple[str, ...], tuple[str, str]] = field(default_factory=dict)
    dashboard_template: str = ""
    dashboard: Callable[[DashboardContext], dict[str, Any] | None] | None = None
    order: int = 100


# --- the demo ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoResult:
    """What a demo part did: ``created`` False when it found its records and wrote nothing;
    ``summary`` (for "already loaded" lines) and ``report`` lines (after a load)."""

    created: bool
    summary: str = ""
    report: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DemoPart:
    """A part of the Nanshan demo that ``seed_demo`` loads on top of the registry's, in the same
    transaction: ``load(subdistrict)``."""

    name: str
    load: Callable[[Area], DemoResult]
    order: int = 100
