"""The one builder of the truncated-summary update stream (home page and every feed).

``update_stream`` gives the notes of a stream (the site, a category, a tag or a series),
read by the caller as what it shows (``feeds.cards`` for the list pages,
``feeds.feeds.feed_rows`` for the feeds); ``stream_state`` tells in one aggregate query whether
a stream has changed, so that a feed can answer a conditional GET without building itself.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Max, OuterRef, Q
from taggit.models import Tag, TaggedItem

from articles.models import Article, Category, published_q
from series.models import Series

# What a card shows (includes/article_card.html): the wide rendered columns stay in the table.
CARD_COLUMNS = (
    "title",
    "title_html",
    "slug",
    "published_at",
    "summary_html",
    "category__name",
    "category__slug",
)


def update_stream(*, category=None, tag=None, series=None):
    """Published notes, newest first: the site's, a category's, a tag's or a series' (given as
    instances or pks).

    Nothing is selected or prefetched: each caller reads what it shows, as rows where it can
    (the cards, ``CARD_COLUMNS``; the feeds' items) or with its own ``only()`` (search results):
    the stored HTML of a whole note is tens of kilobytes a row that a list never shows, and each
    queryset step is a copy (a tag's stream was built in 0.5 ms with them).
    ``series`` keeps its parts; the series page orders them by position itself
    (``series.selectors``).
    """
    conditions = [published_q()]  # Article.objects.published(), in the same filter()
    if category is not None:
        conditions.append(Q(category=category))
    if tag is not None:
        # EXISTS, not a join: the newest notes are read along the stream's index and checked
        # one by one, instead of every note with the tag being fetched and sorted (a common
        # tag at 100,000 notes: 4 ms against 160 ms).
        conditions.append(Exists(tagged_with(tag)))
    if series is not None:
        conditions.append(Q(series_part__series=series))
    return Article.objects.filter(*conditions).order_by("-published_at", "-id")


def tagged_with(tag):
    return TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Article), tag=tag, object_id=OuterRef("pk")
    )


@dataclass(frozen=True)
class StreamState:
    """A fingerprint of one stream's scope (see ``stream_state``).

    ``count``, ``last_updated`` and ``last_published`` describe the public notes: a publish, an
    edit, an unpublish, a delete and a scheduled note whose time has come each change at least
    one of them. ``last_saved`` is the newest save of any note in scope, public or not: an
    unpublish saves the note, so it moves forward even though the note leaves the stream.
    """

    scope: Category | Tag | Series | None  # None for the whole site
    count: int
    last_updated: datetime | None
    last_published: datetime | None
    last_saved: datetime | None

    @property
    def last_modified(self):
        """When the stream last changed, as far as dates can tell (None for an empty scope)."""
        return max(filter(None, [self.last_saved, self.last_published]), default=None)

    @property
    def fingerprint(self):
        """Everything that identifies this state of the stream, for an ETag."""
        scope = self.scope
        identity = (
            ("site",)
            if scope is None
            else (type(scope).__name__, scope.pk, scope.slug, scope.name, _description(scope))
        )
        return (*identity, self.count, self.last_updated, self.last_published)


def _description(scope):
    return getattr(scope, "description", "")


def _state_aggregates(prefix=""):
    """Aggregates over the articles reached through ``prefix`` (e.g. ``"articles__"``)."""
    # On the joined notes themselves: a subquery of published() pks cost twice as much.
    public = published_q(prefix)
    return {
        "stream_count": Count(f"{prefix}pk", filter=public),
        "stream_last_updated": Max(f"{prefix}updated_at", filter=public),
        "stream_last_published": Max(f"{prefix}published_at", filter=public),
        "stream_last_saved": Max(f"{prefix}updated_at"),
    }


def _state_from(scope, values):
    return StreamState(
        scope=scope,
        count=values["stream_count"] or 0,
        last_updated=values["stream_last_updated"],
        last_published=values["stream_last_published"],
        last_saved=values["stream_last_saved"],
    )


def stream_state(*, category_slug=None, tag_slug=None, series_slug=None):
    """The state of the site's, a category's, a tag's or a series' stream, in one query.

    Returns None when the category, tag or series does not exist. The public part uses
    ``Article.objects.published()`` (evaluated now), so a scheduled note changes the state the
    moment its time comes, with no save and no job.
    """
    if category_slug is not None:
        model, slug, prefix = Category, category_slug, "articles__"
    elif tag_slug is not None:
        model, slug, prefix = Tag, tag_slug, "article__"
    elif series_slug is not None:
        model, slug, prefix = Series, series_slug, "parts__article__"
    else:
        return _state_from(None, Article.objects.aggregate(**_state_aggregates()))
    scope = model.objects.filter(slug=slug).annotate(**_state_aggregates(prefix)).first()
    if scope is None:
        return None
    return _state_from(scope, vars(scope))
