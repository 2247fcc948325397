from django.contrib import admin

from segbuilder.segments.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only review of the shared history."""

    list_display = ("created_at", "author", "name", "kind", "status", "altcraft_id", "duration_ms")
    list_filter = ("status", "kind", "format")
    search_fields = ("name", "altcraft_id")
    date_hierarchy = "created_at"
    list_select_related = ("author",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
