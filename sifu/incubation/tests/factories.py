"""Needs for tests, made through the services."""

from __future__ import annotations

import itertools

from sifu.accounts.models import Area
from sifu.accounts.services import system_actor
from sifu.incubation import services
from sifu.incubation.models import Need
from sifu.registry.models import Organization

_seq = itertools.count(1)


def make_need(community: Area, title: str | None = None, *, submitted: bool = False, **kw) -> Need:
    title = title or f"需求{next(_seq)}"
    category = kw.pop("category", Organization.Category.LIFE)
    if submitted:
        return services.need_submit_public(community=community, title=title, category=category, by=system_actor(), **kw)
    return services.need_record(
        community=community,
        title=title,
        category=category,
        source=kw.pop("source", Need.Source.VISIT),
        by=system_actor(),
        **kw,
    )
