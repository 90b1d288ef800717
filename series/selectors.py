"""Read-side queries for series: the reader pages, the note page's series block, the filters."""

from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from articles.models import Article
from articles.selectors import LINK_COLUMNS
from feeds.stream import update_stream
from series.models import Series, SeriesPart

# A series' reading order: position, then publication (equal positions), then id.
PART_ORDER = ("series_part__position", "published_at", "pk")
# A part's Article.last_revised_at in SQL (as articles.sitemaps.LAST_REVISED, from the part).
PART_LAST_REVISED = Greatest(
    Coalesce("article__revised_at", "article__published_at"), "article__published_at"
)


def series_parts(series):
    """The published parts of ``series`` in reading order, as the cards show them (one query)."""
    return update_stream(series=series).order_by(*PART_ORDER)


def _per_series(aggregate):
    """``aggregate`` over each series' published parts, as a subquery to annotate with."""
    return Subquery(
        SeriesPart.objects.filter(
            series=OuterRef("pk"), article__in=Article.objects.published().values("pk")
        )
        .order_by()
        .values("series")
        .annotate(value=aggregate)
        .values("value")
    )


def public_series():
    """Series with at least one published part, the most recently extended first, each with
    ``part_count``, ``last_published`` and ``last_revised`` (published parts only). One query."""
    return (
        Series.objects.annotate(
            part_count=_per_series(Count("pk")),
            last_published=_per_series(Max("article__published_at")),
            last_revised=_per_series(Max(PART_LAST_REVISED)),
        )
        .filter(part_count__gt=0)
        .order_by("-last_published", "title", "pk")
    )


@dataclass(frozen=True)
class SeriesNav:
    """A note's place in its series, as readers see it: published parts only."""

    series: Series
    parts: list  # published Articles in reading order (LINK_COLUMNS)
    index: int | None  # the note's index in ``parts``; None for a draft being previewed

    @property
    def total(self):
        return len(self.parts)

    @property
    def position(self):
        return None if self.index is None else self.index + 1

    @property
    def previous(self):
        return self.parts[self.index - 1] if self.index else None

    @property
    def next(self):
        if self.index is None or self.index + 1 >= len(self.parts):
            return None
        return self.parts[self.index + 1]


def series_nav(article):
    """The SeriesNav of ``article``, or None when it is in no series (or none of the series'
    parts is public). One query: the published parts of the note's series, with the series."""
    parts = list(
        Article.objects.published()
        .filter(series_part__series__parts__article=article)
        .select_related("series_part__series")
        .only(
            *LINK_COLUMNS,
            "series_part__position",
            "series_part__series__title",
            "series_part__series__slug",
        )
        .order_by(*PART_ORDER)
    )
    if not parts:
        return None
    index = next((i for i, part in enumerate(parts) if part.pk == article.pk), None)
    return SeriesNav(series=parts[0].series_part.series, parts=parts, index=index)


def series_choices():
    """(slug, title) of the public series, by title: the search page's filter. One query."""
    return list(public_series().order_by("title", "pk").values_list("slug", "title"))
