"""Admin: the "waiting for review" list, the review panel's endpoints, and the notes list's
review filter (added here, so that articles does not depend on review)."""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.permissions import can_review
from review import admin_views
from review.filters import RequestStateFilter, ReviewStateFilter
from review.models import ReviewRequest, ReviewStep


class ReviewStepInline(admin.TabularInline):
    model = ReviewStep
    fields = ["at", "actor_name", "action", "comment", "resulting_state", "publish_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    """Read-only: decisions are taken on the note's change page (the review panel)."""

    list_display = ["note", "submitted_by", "submitted_at", "state", "changed", "decided_by"]
    list_filter = [RequestStateFilter]
    list_select_related = ["article", "submitted_by", "decided_by"]
    search_fields = ["article__title"]
    date_hierarchy = "submitted_at"
    inlines = [ReviewStepInline]
    fields = ["note", "submitted_by", "submitted_at", "submitted_version", "state"]
    readonly_fields = fields

    @admin.display(description=_("note"), ordering="article__title")
    def note(self, obj):
        url = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html('<a href="{}#review-panel">{}</a>', url, obj.article.title)

    @admin.display(description=_("changed since submitted"), boolean=True)
    def changed(self, obj):
        return obj.changed_since_submission

    def has_module_permission(self, request):
        return can_review(request.user)

    def has_view_permission(self, request, obj=None):
        return can_review(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path("submit/<int:pk>/", view(admin_views.submit), name="review_submit"),
            path("<int:pk>/approve/", view(admin_views.approve), name="review_approve"),
            path("<int:pk>/withdraw/", view(admin_views.withdraw), name="review_withdraw"),
            path("<int:pk>/send-back/", view(admin_views.send_back), name="review_send_back"),
            path("links/<int:pk>/new/", view(admin_views.create_link), name="review_link_create"),
            path(
                "links/<int:pk>/revoke/", view(admin_views.revoke_link), name="review_link_revoke"
            ),
            *super().get_urls(),
        ]


# The notes list gains the review filter from here (as transfer adds its export action).
_article_admin = admin.site.get_model_admin(Article)
_article_admin.list_filter = [*_article_admin.list_filter, ReviewStateFilter]
