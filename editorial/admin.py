from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from editorial.models import AuditEntry
from editorial.users import ReassignForm, reassign_notes


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


User = get_user_model()


class ReassigningUserAdmin(UserAdmin):
    """Django's user admin, plus reassigning notes: a user with notes cannot be deleted
    (Article.author is PROTECT) until their notes belong to someone else."""

    actions = [*UserAdmin.actions, "reassign"]

    @admin.action(description=_("Reassign their notes to an editor"), permissions=["change"])
    def reassign(self, request, queryset):
        form = ReassignForm(request.POST if "to" in request.POST else None)
        if form.is_bound and form.is_valid():
            moved = reassign_notes(queryset, form.cleaned_data["to"], request=request)
            message = ngettext("%(count)d note reassigned.", "%(count)d notes reassigned.", moved)
            self.message_user(request, message % {"count": moved}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reassign notes"),
            "opts": self.opts,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/editorial/reassign_notes.html", context)

    def get_deleted_objects(self, objs, request):
        deleted = super().get_deleted_objects(objs, request)
        if deleted[3]:  # protected: their notes
            self.message_user(
                request,
                _(
                    "A user who wrote notes cannot be deleted: select them in the user list "
                    "and run “Reassign their notes to an editor” first."
                ),
                messages.WARNING,
            )
        return deleted


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, ReassigningUserAdmin)
