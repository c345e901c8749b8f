"""The contributions' registry: ``register_app`` records each app's ``CONTRIBUTIONS``,
``contributed(Kind)`` lists them in order, ``contributions_of`` swaps an app's for a test. The kinds
of contribution are ``kinds``; ``sifu.core.contributions`` re-exports both."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig, apps

if TYPE_CHECKING:
    pass


# --- the registry ---------------------------------------------------------------------------------

_registered: dict[str, tuple[object, ...]] = {}
_cache: dict[type, list[Any]] = {}


def register_app(app_config: AppConfig) -> None:
    """Register the ``CONTRIBUTIONS`` of ``<app>.contributions`` (call it from ``AppConfig.ready``).

    An app without the module, or with an empty tuple, contributes nothing; that is not an error."""
    module_name = f"{app_config.name}.contributions"
    if importlib.util.find_spec(module_name) is None:
        items: tuple[object, ...] = ()
    else:
        items = tuple(getattr(importlib.import_module(module_name), "CONTRIBUTIONS", ()))
    _registered[app_config.label] = items
    _cache.clear()


def registered_apps() -> set[str]:
    """Labels of the apps that registered (with or without contributions)."""
    return set(_registered)


def contributed[C](kind: type[C]) -> list[C]:
    """Every registered contribution of ``kind``, in order (``order``, then app order, then
    declaration order). Computed once; registering again clears the cache."""
    if kind not in _cache:
        app_index = {config.label: i for i, config in enumerate(apps.get_app_configs())}
        found = [
            (getattr(item, "order", 0), app_index.get(label, len(app_index)), n, item)
            for label, items in _registered.items()
            for n, item in enumerate(items)
            if isinstance(item, kind)
        ]
        _cache[kind] = [item for *_, item in sorted(found, key=lambda row: row[:3])]
    return list(_cache[kind])


@contextmanager
def contributions_of(label: str, items: Sequence[object]) -> Iterator[None]:
    """For tests: the app ``label`` contributes ``items`` (instead of its own) inside the block."""
    saved = _registered.get(label)
    _registered[label] = tuple(items)
    _cache.clear()
    try:
        yield
    finally:
        if saved is None:
            _registered.pop(label, None)
        else:
            _registered[label] = saved
        _cache.clear()
