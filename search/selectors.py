"""The reader-facing search: only ``Article.objects.published()`` is ever searched."""

from django.conf import settings
from django.utils.functional import cached_property
from taggit.models import Tag

from articles.models import Article, Category
from feeds.stream import update_stream
from search import engine
from series.models import Series

# What a results page shows (templates/jinja2/search/results.html): the snippet is cut from the
# index's plain text. Not the cards' summary_html, the author or the notes' tags.
RESULT_COLUMNS = (
    "title",
    "slug",
    "published_at",
    "category__name",
    "category__slug",
    "search_document__plain_text",
)


class RankedResults:
    """The ranked matches, at most ``limit``, ranked per slice: what a paginator needs (it is
    given the count, ``count``, separately).

    When there are ``limit`` matches or more (a common word), ``[start:stop]`` ranks only the
    candidates for the first ``stop`` results (``engine.search``), so a page near the top never
    ranks thousands of notes. With fewer, all of them are ranked: the database finds a few
    hundred notes through the index faster than it walks the newest notes looking for them.
    """

    def __init__(self, queryset, parsed, limit, count):
        self.queryset = queryset
        self.parsed = parsed
        self.limit = limit
        self.count = count

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("RankedResults supports only [start:stop] slices.")
        start = key.start or 0
        stop = self.limit if key.stop is None else min(key.stop, self.limit)
        if start < 0 or stop < 0:
            raise ValueError("Negative indexing is not supported.")
        if start >= stop:
            return []
        candidates = stop if self.count() >= self.limit else None
        found = engine.search(self.queryset, self.parsed, limit=candidates)
        return list(engine.ranked(found)[start:stop])

    def __iter__(self):
        return iter(self[:])


class PublicSearch:
    def __init__(self, *, base, shown, parsed, category, tag, series, limit):
        self.base = base  # the public notes in scope, unranked
        self.parsed = parsed
        self.category = category
        self.tag = tag
        self.series = series
        self.limit = limit
        self.results = RankedResults(shown, parsed, limit, self.count)

    @cached_property
    def _count(self):
        return engine.count(self.base, self.parsed, self.limit)

    def count(self):
        """The number of results listed: all matches, up to ``limit`` (one query, once)."""
        return self._count


def public_search(parsed, *, category_slug="", tag_slug="", series_slug=""):
    """Ranked public notes matching ``parsed``, optionally within a category, a tag and/or a
    series.

    At most ``SEARCH_MAX_RESULTS`` (the best) are listed. An unknown category, tag or series
    gives no results (and no error).
    """
    category = Category.objects.filter(slug=category_slug).first() if category_slug else None
    tag = Tag.objects.filter(slug=tag_slug).first() if tag_slug else None
    series = Series.objects.filter(slug=series_slug).first() if series_slug else None
    unknown = [
        slug and found is None
        for slug, found in ((category_slug, category), (tag_slug, tag), (series_slug, series))
    ]
    if any(unknown):
        base = Article.objects.none()
    else:
        base = update_stream(category=category, tag=tag, series=series)
    limit = settings.SEARCH_MAX_RESULTS
    shown = base.select_related("category", "search_document").only(*RESULT_COLUMNS)
    return PublicSearch(
        base=base,
        shown=shown,
        parsed=parsed,
        category=category,
        tag=tag,
        series=series,
        limit=limit,
    )
