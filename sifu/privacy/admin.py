"""Django admin of the unmasked-view log, for superusers only, read-only (written by services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from sifu.privacy.models import SensitiveView


@admin.register(SensitiveView)
class SensitiveViewAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "person", "field", "context")
    list_filter = ("field",)
    search_fields = ("user__username", "person__name", "context")
    list_select_related = ("user", "person")
    date_hierarchy = "at"

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
