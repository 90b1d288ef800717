"""``{{ reader_sidebar() }}``: the list pages' sidebar (categories, popular tags, the archive's
years, the feed links). Three aggregate queries over every published note, so its HTML is kept
for the current generation (``pagecache.fragments``): rendered again only after a change."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from taggit.models import TaggedItem

from articles.models import Article, Category
from articles.selectors import per_category
from feeds.archives import archive_years
from pagecache.fragments import memoize

POPULAR_TAGS = 20


def categories_with_counts():
    """Categories with published notes, in navigation order, each with ``article_count``."""
    return (
        Category.objects.annotate(article_count=per_category(Count("pk")))
        .filter(article_count__gt=0)
        .order_by("position", "name")
    )


def popular_tags(limit=POPULAR_TAGS):
    """[{"name", "slug", "count"}]: the tags of the most published notes, then by name."""
    return list(
        TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Article),
            object_id__in=Article.objects.published().values("pk"),
        )
        .values(name=F("tag__name"), slug=F("tag__slug"))
        .annotate(count=Count("pk"))
        .order_by("-count", "name")[:limit]
    )


def render_sidebar():
    return render_to_string(
        "includes/sidebar.html",
        {
            "sidebar_categories": categories_with_counts(),
            "sidebar_tags": popular_tags(),
            "sidebar_years": archive_years(),
        },
    )


def reader_sidebar():
    return mark_safe(memoize("sidebar", render_sidebar))
