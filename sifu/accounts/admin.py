"""Django admin (/admin/) for superusers only, with each row's history (django-simple-history).

The office is where accounts and roles are managed (through the services, with scope checks);
the admin is the superuser's tool of last resort.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from sifu.accounts.models import Area, RoleGrant, User


def _superuser_only(request: Any) -> bool:
    """The admin site opens to active superusers only, never to `is_staff` alone."""
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superuser_only  # type: ignore[method-assign]
admin.site.site_header = _("Sifu administration (superusers)")
admin.site.site_title = _("Sifu administration")


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ("role", "area", "organization", "granted_by", "granted_at", "revoked_by", "revoked_at")
    raw_id_fields = ("area", "organization", "granted_by", "revoked_by")
    show_change_link = True


@admin.register(User)
class SifuUserAdmin(SimpleHistoryAdmin, UserAdmin):
    list_display = ("username", "display_name", "email", "is_active", "is_superuser", "last_login")
    list_filter = ("is_active", "is_superuser", "grants__role")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Sifu"), {"fields": ("display_name", "phone")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Sifu"), {"fields": ("display_name", "phone")}),
    )
    inlines = [RoleGrantInline]


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "parent", "path", "code")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth", "created_at")
    raw_id_fields = ("parent",)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # areas end by being left alone; organizations and grants point at them

    def has_add_permission(self, request: Any) -> bool:
        return False  # the path needs the service: add areas in the office (Areas page) or by seed


@admin.register(RoleGrant)
class RoleGrantAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "area", "organization", "granted_by", "granted_at", "revoked_at")
    list_filter = ("role", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__display_name", "area__name", "organization__name")
    raw_id_fields = ("user", "area", "organization", "granted_by", "revoked_by")
    list_select_related = ("user", "area", "organization", "granted_by")
    date_hierarchy = "granted_at"

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # grants end by being revoked, so their history stays
