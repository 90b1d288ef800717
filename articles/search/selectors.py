"""The reader-facing search: only ``Article.objects.published()`` is ever searched."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from taggit.models import Tag

from articles.models import Article, Category
from articles.search import engine
from feeds.stream import update_stream

# Index columns a results page never shows.
_UNSHOWN = [
    "body",
    "body_html",
    "body_feed_html",
    "toc_html",
    "summary_feed_html",
    "search_document__title_tokens",
    "search_document__tags_tokens",
    "search_document__body_tokens",
    "search_document__vector",
    "search_document__heading_vector",
]


@dataclass
class PublicSearch:
    results: QuerySet  # ranked, at most ``limit`` (the best ones)
    category: Category | None
    tag: Tag | None
    limit: int
    matches: QuerySet  # every match, unranked

    def count(self):
        """The number of results listed: all matches, up to ``limit``."""
        return self.matches.order_by().values("pk")[: self.limit].count()


def public_search(parsed, *, category_slug="", tag_slug=""):
    """Ranked public notes matching ``parsed``, optionally within a category and/or a tag.

    At most ``SEARCH_MAX_RESULTS`` (the best) are listed. An unknown category or tag gives no
    results (and no error).
    """
    category = Category.objects.filter(slug=category_slug).first() if category_slug else None
    tag = Tag.objects.filter(slug=tag_slug).first() if tag_slug else None
    if (category_slug and category is None) or (tag_slug and tag is None):
        base = Article.objects.none()
    else:
        base = update_stream(category=category, tag=tag)
    limit = settings.SEARCH_MAX_RESULTS
    shown = base.select_related("search_document").defer(*_UNSHOWN)
    results = engine.ranked(engine.search(shown, parsed, limit=limit))[:limit]
    return PublicSearch(
        results=results,
        category=category,
        tag=tag,
        limit=limit,
        matches=engine.matching(base, parsed),
    )
