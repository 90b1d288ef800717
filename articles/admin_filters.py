"""List filters of the note admin."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article

SCHEDULED = "scheduled"


class PublicationFilter(admin.SimpleListFilter):
    """Live, scheduled (published with a future date: goes out by itself then) or draft.

    Scheduled notes are listed by when they go out, soonest first (ArticleAdmin.get_ordering).
    """

    title = _("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [
            ("live", _("Live")),
            (SCHEDULED, _("Scheduled")),
            ("draft", _("Draft")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = queryset.filter(status=Article.Status.PUBLISHED)
        if self.value() == "live":
            return published.filter(published_at__lte=now)
        if self.value() == SCHEDULED:
            return published.filter(published_at__gt=now)
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        return queryset


def is_scheduled_listing(request):
    return request.GET.get(PublicationFilter.parameter_name) == SCHEDULED
