"""DRF helpers on top of the one permission vocabulary (sifu.core.permissions), for every app's api.py."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def perm_required(perm: str) -> type[BasePermission]:
    """A permission class: authenticated and holding ``perm`` somewhere (rows are scoped by ``for_user``)."""

    class HasPerm(BasePermission):
        message = _("Your account has no role that allows this.")

        def has_permission(self, request: Any, view: Any) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm(perm))

    HasPerm.__name__ = f"HasPerm[{perm}]"
    return HasPerm
