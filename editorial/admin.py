from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from editorial.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Append-only: nobody adds or edits an entry; only a superuser deletes (to prune)."""

    list_display = ["when", "username", "action", "content_type", "object_repr", "ip_address"]
    list_filter = ["action", "content_type", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["username", "object_repr", "summary", "path", "ip_address", "request_id"]
    date_hierarchy = "when"
    list_select_related = ["content_type"]
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
    fieldsets = [
        (None, {"fields": ["when", "user", "username", "action", "summary"]}),
        (_("Object"), {"fields": ["content_type", "object_id", "object_repr"]}),
        (_("Request"), {"fields": ["ip_address", "request_id", "path"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
