from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles import admin_views, autosave, permissions, presence
from articles.admin_filters import PublicationFilter, is_scheduled_listing
from articles.admin_revisions import RevisionAdminMixin
from articles.admin_roles import RoleAdminMixin
from articles.conflicts import InvalidVersionToken, read_version_token, version_token
from articles.models import Article, Category, RevisionDetail
from articles.revisions import record_deletion
from articles.services import EditConflict, save_article
from articles.widgets import BodyEditor
from search.engine import search


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


class ArticleAdminForm(forms.ModelForm):
    """The change form, plus the signed version it was loaded from (see articles.conflicts)."""

    base_version = forms.CharField(
        label=_("Version loaded"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["base_version"].initial = version_token(self.instance)
        if "slug" in self.fields:
            # Not copied from the title while typing (that would keep raw LaTeX): the server
            # makes it from the title's readable text when left empty.
            self.fields["slug"].help_text = _(
                "The note's URL. Chinese is fine. Left empty, it is made from the title when "
                "you save (formulas read as text)."
            )
        self.expected_version = None
        self.stored_published_at = self.instance.published_at if self.instance.pk else None

    def clean_published_at(self):
        """The form shows the date to the minute: an untouched one keeps its seconds."""
        value, stored = self.cleaned_data.get("published_at"), self.stored_published_at
        if value is not None and stored is not None:
            shown = {stored.replace(microsecond=0), stored.replace(second=0, microsecond=0)}
            if value in shown:
                return stored
        return value

    @cached_property
    def changed_data(self):
        changed = super().changed_data
        kept = getattr(self, "cleaned_data", {}).get("published_at")
        if kept is not None and kept == self.stored_published_at:
            changed = [name for name in changed if name != "published_at"]
        return changed

    def clean_base_version(self):
        token = self.cleaned_data["base_version"]
        if self.instance.pk is not None and not self.instance._state.adding:
            try:
                self.expected_version = read_version_token(token, self.instance.pk)
            except InvalidVersionToken as error:
                message = gettext(
                    "%(error)s Nothing was saved. Copy your text, reload the note and save again."
                )
                raise forms.ValidationError(
                    message % {"error": error}, code="invalid_version"
                ) from None
        return token


@admin.register(Article)
class ArticleAdmin(RoleAdminMixin, RevisionAdminMixin, admin.ModelAdmin):
    """Writers see and change their own notes only (articles.admin_roles)."""

    form = ArticleAdminForm
    # published_at is when a scheduled note goes out; the publication filter lists those.
    list_display = ["title", "category", "status", "published_at", "author", "is_published"]
    # The author filter is an editor's only (RoleAdminMixin.get_list_filter).
    # series_part__series: membership in a series (the series app's SeriesPart, by name, so
    # that articles does not import series); review/admin.py adds the review state.
    list_filter = ["status", PublicationFilter, "category", "series_part__series", "author", "tags"]
    list_select_related = ["category", "author"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["category"]
    actions = ["publish", "unpublish"]
    formfield_overrides = {models.TextField: {"widget": BodyEditor}}
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"

    class Media:
        # Warns while typing when a Markdown image has no alt text; says why an upload failed;
        # autosaves the text being edited; shows who else has the note open.
        js = [
            "js/admin-alt-text.js",
            "js/admin-upload-errors.js",
            "js/admin-autosave.js",
            "js/admin-presence.js",
        ]
        # The preview shows server-typeset math and highlighted code, as the page does.
        css = {"all": ["katex/katex.min.css", "css/code-highlight.css", "css/admin-editing.css"]}

    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "tags", "body", "base_version"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "author", "summary"]}),
    ]

    def get_ordering(self, request):
        # Scheduled notes by when they go out, soonest first.
        if is_scheduled_listing(request):
            return ["published_at", "pk"]
        return super().get_ordering(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        # JSON endpoints called by the editor's scripts: they answer 403 rather than
        # redirect to the login page (admin_views checks staff and permissions).
        endpoints = [
            path("autosave/", admin_views.autosave, name="{}_{}_autosave".format(*info)),
            path(
                "autosave/discard/",
                admin_views.discard_autosave,
                name="{}_{}_autosave_discard".format(*info),
            ),
            path("<int:pk>/presence/", admin_views.presence, name="{}_{}_presence".format(*info)),
        ]
        return endpoints + self.revision_urls() + super().get_urls()

    def get_search_results(self, request, queryset, search_term):
        """The site's search engine (segmented Chinese, phrases, -exclusions), drafts included."""
        if not search_term.strip():
            return queryset, False
        return search(queryset, search_term), False

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "author": request.user.pk}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Only the body is Markdown; the hand-written summary is plain text.
        if db_field.name == "summary":
            kwargs["widget"] = admin.widgets.AdminTextareaWidget(attrs={"rows": 3})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # --- Saving: every save is a revision, checked against the version the form carried ---

    def save_model(self, request, obj, form, change):
        self.set_author(request, obj, change)
        if change:
            labels = [str(form.fields[name].label or name) for name in form.changed_data]
            comment = "Changed " + ", ".join(labels) + "." if labels else "Saved, no changes."
        else:
            comment = "Created."
        try:
            save_article(
                obj,
                user=request.user,
                comment=comment,
                tags=form.cleaned_data["tags"],
                expected_version=form.expected_version if change else None,
            )
        except EditConflict as conflict:
            conflict.submitted, conflict.tags = obj, form.cleaned_data["tags"]
            raise
        autosave.discard_autosave(request.user, obj if change else None)

    def save_related(self, request, form, formsets, change):
        # Tags were set by save_article, in the revision; there are no other relations.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and not _exists(object_id):
            # Deleted while being edited: Django would drop the form; keep its text first.
            return self.keep_text_of_deleted_note(request, request.POST)
        try:
            return super().change_view(
                request,
                object_id,
                form_url,
                self.editing_context(request, object_id, extra_context),
            )
        except EditConflict as conflict:
            # The whole save was rolled back; keep the refused text, then show both.
            return self.conflict_view(request, conflict)

    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(
            request, form_url, self.editing_context(request, None, extra_context)
        )

    def editing_context(self, request, object_id, extra_context):
        """What the change form adds: autosave offer, who else is editing, endpoints."""
        context = dict(extra_context or {})
        if request.method != "GET":
            return context
        article = self.get_object(request, object_id) if object_id else None
        if object_id and article is None:
            return context
        context["pending_autosave"] = self.autosave_offer(request, article)
        if article is not None:
            context["other_editors"] = presence.ping(article.pk, request.user)
            context["conflict_copy"] = self.conflict_copy_from_query(request, article)
        return context

    def delete_model(self, request, obj):
        record_deletion(obj, user=request.user)
        autosave.keep_autosaves_of(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self.check_each(request, queryset, permissions.can_delete, "delete")
        for article in queryset:
            self.delete_model(request, article)

    # --- Bulk actions: one revision per note changed, publication dates as in the form ---

    def _set_status(self, request, queryset, status, verb):
        self.check_each(request, queryset, permissions.can_publish, "publish or unpublish")
        changed = 0
        for article in queryset.select_related("category").exclude(status=status):
            article.status = status
            comment = f"{verb} (bulk action)."
            save_article(article, user=request.user, comment=comment, kind=RevisionDetail.Kind.BULK)
            self.log_change(request, article, comment)  # the admin's own log, as a form save
            changed += 1
        return changed

    @admin.action(description=_("Publish selected notes"), permissions=["publish"])
    def publish(self, request, queryset):
        changed = self._set_status(request, queryset, Article.Status.PUBLISHED, "Published")
        message = ngettext("%(count)d note published.", "%(count)d notes published.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(
        description=_("Unpublish selected notes (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        changed = self._set_status(request, queryset, Article.Status.DRAFT, "Unpublished")
        message = ngettext("%(count)d note unpublished.", "%(count)d notes unpublished.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)


def _exists(object_id):
    return str(object_id).isdigit() and Article.objects.filter(pk=int(object_id)).exists()
