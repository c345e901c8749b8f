"""Jobs in Django admin, read-only: for the machine's administrator (superusers) to look into."""

from django.contrib import admin

from sifu.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("pk", "label", "kind", "owner", "status", "created_at", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("label", "owner__username")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
