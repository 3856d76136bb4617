"""Jobs in the admin: read-only, for head office to look back at what ran."""

from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "subject", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["subject"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
