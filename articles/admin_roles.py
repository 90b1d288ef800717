"""The note admin's side of the roles: what each user sees and may change, decided by
``articles.permissions``, enforced on the server (a forged request gets 403, changes nothing,
and is in the audit trail: editorial.middleware records every 403 with ``request.audit_reason``).

A mixin for ``ArticleAdmin``.
"""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied

from articles import permissions
from articles.models import Article

# Fields only those who may publish the note (or change its author) may set.
PUBLISHING_FIELDS = ("status", "published_at")
AUTHOR_FIELDS = ("author",)


def refuse(request, reason):
    """403, with why (for the audit trail)."""
    request.audit_reason = reason
    raise PermissionDenied(reason)


class RoleAdminMixin:
    # --- What one sees: one's own notes, unless an editor ---

    def get_queryset(self, request):
        return permissions.visible_articles(request.user, super().get_queryset(request))

    def refuse_hidden(self, request, object_id):
        """Someone else's note, asked for by URL: 403 (not a read-only view)."""
        pk = unquote(str(object_id))
        if not str(pk).isdigit():
            return
        if Article.objects.filter(pk=pk).exists() and not (
            self.get_queryset(request).filter(pk=pk).exists()
        ):
            refuse(request, "someone else's note")

    # --- Per-object permissions ---

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or permissions.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return permissions.can_delete(request.user, obj)

    def has_publish_permission(self, request):
        return permissions.publishes(request.user)

    # --- Fields: publishing and the author, for those allowed only ---

    def protected_fields(self, request, obj):
        fields = []
        if not permissions.can_publish(request.user, obj):
            fields += PUBLISHING_FIELDS
        if not permissions.can_change_author(request.user):
            fields += AUTHOR_FIELDS
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [f for f in self.protected_fields(request, obj) if f not in readonly]

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not permissions.edits_any(request.user):
            filters = [f for f in filters if f != "author"]
        return filters

    def forged_fields(self, request, obj):
        """Protected fields a POST sets anyway (the form does not show them: a forgery)."""
        names = self.protected_fields(request, obj)
        return sorted(
            {
                name
                for key in request.POST
                for name in names
                if key == name or key.startswith(f"{name}_")
            }
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            self.refuse_hidden(request, object_id)
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            if object_id is None or obj is not None:
                forged = self.forged_fields(request, obj)
                if forged:
                    refuse(request, "may not set " + ", ".join(forged))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.refuse_hidden(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.refuse_hidden(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def set_author(self, request, obj, change):
        """A new note is the current user's; only an editor may name someone else."""
        if not change and (
            obj.author_id is None or not permissions.can_change_author(request.user)
        ):
            obj.author = request.user

    # --- List actions: every selected note is checked; one refused refuses all ---

    def changelist_view(self, request, extra_context=None):
        action = request.POST.get("action") if request.method == "POST" else None
        if action:
            known = self.base_action_names()
            if action in known and action not in self.get_actions(request):
                refuse(request, f"may not run {action}")
            selected = {pk for pk in request.POST.getlist(ACTION_CHECKBOX_NAME) if pk.isdigit()}
            if selected:
                visible = self.get_queryset(request).filter(pk__in=selected).count()
                if visible != Article.objects.filter(pk__in=selected).count():
                    refuse(request, f"{action}: someone else's note selected")
        return super().changelist_view(request, extra_context)

    def base_action_names(self):
        """Every action of this admin, before the request's permissions filter them."""
        names = {name for name, _function in self.admin_site.actions}
        names.update(a if isinstance(a, str) else a.__name__ for a in self.actions or ())
        return names

    def check_each(self, request, queryset, allowed, verb):
        refused = [article for article in queryset if not allowed(request.user, article)]
        if refused:
            refuse(request, f"may not {verb} " + ", ".join(str(a.pk) for a in refused))
