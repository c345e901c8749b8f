"""Fixtures built once and rolled back after each test: Django's ``setUpTestData`` for pytest.

A fixture written as ``@built_once`` instead of ``@pytest.fixture`` is a *layer*. Its parameters
name the layers it builds on (``world``, the personas, ...); it takes no other fixture.

- Before a test that uses the database without transactions (pytest-django's ``db``), the layers
  in the test's fixture closure are built into an outer transaction, one savepoint per layer, in
  the order the layers were declared (a layer after the layers it needs). The test's own atomic
  block is then a savepoint inside, which pytest-django rolls back after the test: the next test
  finds the layers as they were built. Layers that the next test needs too stay; the others are
  rolled back (from the top) and the missing ones built.
- The test gets a deep copy of the built objects (one copy of all its layers, so objects shared
  between layers stay shared), as Django's TestCase does with ``setUpTestData``: changes made in
  memory, and caches on the objects, do not leak into the next test.
- A test that needs no layer and touches the database, and every transactional test
  (``transaction=True``, ``transactional_db``, ``live_server``), rolls the outer transaction back
  first: it sees an empty database, and a transactional test builds its layers inside the test,
  as plain fixtures do. A layer requested with ``request.getfixturevalue`` during the test is
  also built inside the test.

So a test sees exactly the rows it would see if each fixture were built for it alone.
The hooks that drive this are wired in ``sifu/conftest.py``.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, transaction

_ATTR = "_sifu_built_once"
_BUILT = pytest.StashKey[dict[str, Any]]()
_STORE = pytest.StashKey["Store"]()
_order = itertools.count()
STORE_FIXTURE = "built_once_store"  # the session fixture (sifu/conftest.py) that holds the Store
# Fixtures that make a test transactional (pytest-django's _django_db_helper reads the same).
_TRANSACTIONAL_FIXTURES = ("transactional_db", "live_server", "django_db_reset_sequences")


@dataclass(frozen=True, eq=False)
class Layer:
    name: str
    build: Callable[..., Any]
    needs: tuple[str, ...]
    order: int


def built_once(func: Callable[..., Any]) -> Any:
    """Declare a pytest fixture (named as the function) built once and rolled back after each test."""
    needs = tuple(inspect.signature(func).parameters)
    layer = Layer(func.__name__, func, needs, next(_order))

    def fixture(request: pytest.FixtureRequest, **kwargs: Any) -> Any:
        built = request.node.stash.get(_BUILT, None)
        if built is not None and layer.name in built:
            return built[layer.name]
        return func(**{name: kwargs[name] for name in needs})

    names = ("request", STORE_FIXTURE, "db", *needs)
    params = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names]
    fixture.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]  # pytest reads the parameters
    fixture.__name__ = fixture.__qualname__ = func.__name__
    fixture.__module__ = func.__module__
    fixture.__doc__ = func.__doc__
    setattr(fixture, _ATTR, layer)
    return pytest.fixture(fixture)


def _layer_of(fixturedef: Any) -> Layer | None:
    func = fixturedef.func
    return getattr(func, _ATTR, None) or getattr(getattr(func, "__wrapped__", None), _ATTR, None)


def layers_of(item: pytest.Item) -> list[Layer]:
    """The layers in the item's fixture closure (as resolved for this item), in declaration order."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return []
    found = []
    for name in item.fixturenames:  # type: ignore[attr-defined]
        defs = info.name2fixturedefs.get(name)
        if defs and (layer := _layer_of(defs[-1])) is not None:
            found.append(layer)
    return sorted(found, key=lambda layer: layer.order)


def is_transactional(item: pytest.Item) -> bool:
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transactional, reset_sequences, *_ = validate_django_db(marker)
        if transactional or reset_sequences:
            return True
    return any(name in item.fixturenames for name in _TRANSACTIONAL_FIXTURES)  # type: ignore[attr-defined]


def touches_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or "django_db_setup" in item.fixturenames  # type: ignore[attr-defined]


_NESTED = (
    "A transaction was opened on top of the built-once fixtures and is still open (a module- or class-scoped "
    "fixture using the database?): built-once fixtures cannot be used inside it."
)


@dataclass
class _Level:
    layer: Layer
    atomic: Any
    built: dict[str, Any]  # every layer's objects up to this one, as built (never handed out)


@dataclass
class Store:
    """The layers built so far on this process's connection, bottom first."""

    blocker: Any
    environment: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext
    levels: list[_Level] = field(default_factory=list)
    builds: int = 0  # layers built, for the tests of this module and for measuring

    def _ours_on_top(self) -> bool:
        blocks = connection.atomic_blocks
        return bool(self.levels) and bool(blocks) and blocks[-1] is self.levels[-1].atomic

    def drop(self, keep: int = 0) -> None:
        """Roll back the layers above the first ``keep``."""
        if len(self.levels) <= keep:
            return
        if not self._ours_on_top():
            raise RuntimeError(_NESTED)
        with self.blocker.unblock():
            while len(self.levels) > keep:
                level = self.levels.pop()
                transaction.set_rollback(True)
                level.atomic.__exit__(None, None, None)

    def prepare(self, wanted: list[Layer]) -> dict[str, Any] | None:
        """Bring the stack to exactly ``wanted``; return a fresh copy of its objects (None if empty)."""
        if not wanted:
            self.drop()
            return None
        if not self.levels and connection.in_atomic_block:
            return None  # another fixture holds a transaction (e.g. a module's demo): build inside the test
        if self.levels and not self._ours_on_top():
            raise RuntimeError(_NESTED)
        keep = 0
        for level, layer in zip(self.levels, wanted, strict=False):
            if level.layer is not layer:
                break
            keep += 1
        self.drop(keep)
        with self.blocker.unblock(), self.environment():
            for layer in wanted[keep:]:
                built = copy.deepcopy(self.levels[-1].built) if self.levels else {}
                atomic = transaction.atomic()
                atomic._from_testcase = True  # type: ignore[attr-defined]  # as Django's TestCase: durable blocks may nest
                atomic.__enter__()
                try:
                    built[layer.name] = layer.build(**{name: built[name] for name in layer.needs})
                except BaseException:
                    transaction.set_rollback(True)
                    atomic.__exit__(None, None, None)
                    raise
                self.levels.append(_Level(layer, atomic, built))
                self.builds += 1
        return copy.deepcopy(self.levels[-1].built)


def current_store(config: pytest.Config) -> Store | None:
    return config.stash.get(_STORE, None)


@contextlib.contextmanager
def store_for_session(
    config: pytest.Config, blocker: Any, environment: Callable[[], contextlib.AbstractContextManager[Any]]
) -> Iterator[Store]:
    """Open the store for the session (a session fixture that needs django_db_setup uses it)."""
    store = Store(blocker, environment)
    config.stash[_STORE] = store
    try:
        yield store
    finally:
        store.drop()
        del config.stash[_STORE]


def before_test(item: pytest.Item) -> None:
    """At the start of a test's setup, before any fixture: roll back the layers if the test must not see them."""
    store = current_store(item.config)
    if store is None or not store.levels or not touches_database(item):
        return
    if is_transactional(item) or not layers_of(item):
        store.drop()


def before_database(item: pytest.Item) -> None:
    """Just before pytest-django opens the test's transaction: build the test's layers, copy them for it."""
    store = current_store(item.config)
    if store is None:
        return
    wanted = [] if is_transactional(item) else layers_of(item)
    built = store.prepare(wanted)
    if built is not None:
        item.stash[_BUILT] = built
