"""Fetch-and-authorise helpers for incubation views (DESIGN.md §4.4), as in registry.permissions."""

from __future__ import annotations

from typing import Any

from sifu.core.permissions import Perm, authorise_in
from sifu.incubation.models import IncubationCase, Need


def get_need_for_user(user: Any, pk: int, perm: str = Perm.NEEDS_VIEW) -> Need:
    """A need the user may see, checked for ``perm``: 404 outside scope, 403 without ``perm``."""
    visible = Need.objects.for_user(user, Perm.NEEDS_VIEW).select_related("community", "merged_into", "created_by")
    return authorise_in(user, visible, pk, perm, Perm.NEEDS_VIEW)


def get_case_for_user(user: Any, pk: int, perm: str = Perm.CASES_VIEW) -> IncubationCase:
    """An incubation case the user may see, checked for ``perm``: 404 outside scope, 403 without ``perm``."""
    visible = IncubationCase.objects.for_user(user, Perm.CASES_VIEW).select_related(
        "organization__community", "created_by"
    )
    return authorise_in(user, visible, pk, perm, Perm.CASES_VIEW)
