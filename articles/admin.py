from django.contrib import admin, messages
from django.db import models
from markdownx.widgets import AdminMarkdownxWidget

from articles.models import Article, Category
from search.engine import search


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "status", "published_at", "author", "is_published"]
    list_filter = ["status", "category", "tags", "published_at"]
    list_select_related = ["category", "author"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category"]
    actions = ["publish", "unpublish"]
    formfield_overrides = {models.TextField: {"widget": AdminMarkdownxWidget}}

    class Media:
        # Warns while typing when a Markdown image has no alt text; says why an upload failed.
        js = ["js/admin-alt-text.js", "js/admin-upload-errors.js"]
        # The preview shows server-typeset math and highlighted code, as the page does.
        css = {"all": ["katex/katex.min.css", "css/code-highlight.css"]}

    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "tags", "body"]}),
        ("Publishing", {"fields": ["status", "published_at", "author", "summary"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """The site's search engine (segmented Chinese, phrases, -exclusions), drafts included."""
        if not search_term.strip():
            return queryset, False
        return search(queryset, search_term), False

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Only the body is Markdown; the hand-written summary is plain text.
        if db_field.name == "summary":
            kwargs["widget"] = admin.widgets.AdminTextareaWidget(attrs={"rows": 3})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def _set_status(self, request, queryset, status):
        # save() per article so that stored renders and search stay in step.
        for article in queryset:
            article.status = status
            article.save()
        self.message_user(request, f"{queryset.count()} note(s) updated.", messages.SUCCESS)

    @admin.action(description="Publish selected notes", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description="Unpublish selected notes (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.DRAFT)
