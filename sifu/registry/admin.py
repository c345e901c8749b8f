"""Django admin of the registry, for superusers only (see sifu/accounts/admin.py), with history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sifu.registry.models import Membership, Organization, OrganizationStatusChange, Person


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("person", "role", "is_initiator", "joined_on", "left_on")
    raw_id_fields = ("person",)
    show_change_link = True


class NoDeleteMixin:
    """The UI hard-deletes nothing (DESIGN.md §4.3); records end by state."""

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "community", "nature", "category", "legal_status", "status", "filing_number")
    list_filter = ("status", "legal_status", "nature", "category", "community")
    search_fields = ("name", "filing_number", "uscc")
    list_select_related = ("community",)
    raw_id_fields = ("community", "party_instructor")
    readonly_fields = ("created_at", "updated_at")
    inlines = [MembershipInline]


@admin.register(Person)
class PersonAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "political_status", "community")
    list_filter = ("political_status", "community")
    search_fields = ("name", "phone", "id_number")
    list_select_related = ("community",)
    raw_id_fields = ("community", "user")


@admin.register(Membership)
class MembershipAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("person", "organization", "role", "joined_on", "left_on")
    list_filter = ("role",)
    search_fields = ("person__name", "organization__name")
    list_select_related = ("person", "organization")
    raw_id_fields = ("person", "organization")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs written by services only."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(OrganizationStatusChange)
class OrganizationStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("organization", "action", "from_status", "status", "legal_status", "effective_on", "created_by")
    list_filter = ("status", "action")
    search_fields = ("organization__name",)
    list_select_related = ("organization", "created_by")
