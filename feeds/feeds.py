"""The site's feeds: the whole stream, a category's, a tag's and a series', each as RSS, Atom or
JSON Feed.

One feed class per scope; the format is the generator passed at construction (see urls.py).
Items come from ``feed_rows``, the head of the same stream as the home page, and carry the HTML
stored at save time by ``articles.rendering``: ``summary_feed_html`` by default, plus
``body_feed_html`` with absolute URLs in the full-content variant (``?full=1``).

``get_feed`` fills Django's feed generator itself, from narrow rows in one pass: Django's
``Feed`` looks up and inspects some fifteen attributes for every item (about half of an
uncached feed's time) and would need a model instance, with its category and author, for each.
"""

from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import add_domain
from django.http import HttpResponse, HttpResponseNotAllowed
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import http_date
from taggit.models import Tag, TaggedItem

from articles.models import Article, Category, article_url
from feeds.conditional import FeedValidators
from feeds.html import absolutize_urls
from feeds.stream import stream_state, update_stream
from pagecache.generation import current_or_none as current_generation
from series.models import Series

FULL_CONTENT_VALUES = {"1", "true", "yes"}

# What an item shows; the full-content variant adds body_feed_html. Not the cards' HTML:
# summary_html (KaTeX's markup, several kilobytes a note) is not in a feed.
ITEM_COLUMNS = (
    "pk",
    "title",
    "title_text",
    "slug",
    "published_at",
    "created_at",
    "revised_at",
    "summary_text",
    "summary_feed_html",
    "category__name",
    "author__first_name",
    "author__last_name",
)


@dataclass(frozen=True)
class FeedScope:
    """What one request asks for: the stream's scope, the variant and where the site lives."""

    category: Category | None
    tag: Tag | None
    full: bool
    host: str  # the request's host and scheme: no domain is hard-coded
    secure: bool
    feed_path: str  # this feed's own path, query string included for the full variant
    tag_authority: str  # the authority of the items' tag: URIs (RFC 4151)
    series: Series | None = None

    def absolute(self, path):
        return add_domain(self.host, path, self.secure)


def wants_full_content(request):
    return request.GET.get("full", "").strip().lower() in FULL_CONTENT_VALUES


def item_tag_uri(article, authority):
    """An id that lives as long as the note: its pk and creation date, never slug or title."""
    return f"tag:{authority},{article.created_at:%Y-%m-%d}:/notes/{article.pk}"


def feed_rows(*, category=None, tag=None, series=None, full=False):
    """The FEED_ITEMS newest notes of a stream as ``(row, tag_names)``, names sorted.

    Two queries, however many notes exist: the notes as named rows of ``ITEM_COLUMNS`` (no
    model instances), then the names of their tags. Not taggit's prefetch, which builds a
    queryset for every note.
    """
    columns = (*ITEM_COLUMNS, "body_feed_html") if full else ITEM_COLUMNS
    stream = update_stream(category=category, tag=tag, series=series)
    rows = list(stream.values_list(*columns, named=True)[: settings.FEED_ITEMS])
    names = defaultdict(list)
    if rows:
        tagged = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Article),
            object_id__in=[row.pk for row in rows],
        )
        for object_id, name in tagged.values_list("object_id", "tag__name"):
            names[object_id].append(name)
    return [(row, sorted(names[row.pk])) for row in rows]


class StreamFeed:
    """The whole site's stream; subclasses narrow it to a category or a tag.

    ``__call__`` answers conditional GETs before anything is built, from the page cache's
    generation when it is on (no query) or else from ``stream_state`` (one query), then builds
    the feed and puts the validators on it. The validators are read first, so a feed is never
    older than them: a change in between costs the reader one more download, never a missed
    note.
    """

    def __init__(self, feed_type):
        self.feed_type = feed_type

    def __call__(self, request, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        validators = self.get_validators(request, **kwargs)
        if validators is not None and validators.match(request):
            return validators.not_modified()
        scope = self.get_object(request, **kwargs)  # 404 for an unknown scope
        feed = self.get_feed(scope, request)
        response = HttpResponse(content_type=feed.content_type)
        if validators is None:  # the scope appeared after its state was read: as Django's Feed
            response.headers["Last-Modified"] = http_date(feed.latest_post_date().timestamp())
        feed.write(response, "utf-8")
        if validators is not None:
            validators.apply(response)
        return response

    def get_validators(self, request, **kwargs):
        variant = "full" if wants_full_content(request) else "summary"
        format_name = self.feed_type.format_name
        generation = current_generation()
        if generation is not None:
            scope = (type(self).__name__, kwargs.get("slug"))
            return FeedValidators.for_generation(
                generation, scope, request, format_name=format_name, variant=variant
            )
        state = self.get_state(**kwargs)
        if state is None:
            return None
        return FeedValidators.for_state(state, request, format_name=format_name, variant=variant)

    def get_state(self, **kwargs):
        return stream_state()

    def get_object(self, request, **kwargs):
        full = wants_full_content(request)
        host = request.get_host()
        return FeedScope(
            category=None,
            tag=None,
            full=full,
            host=host,
            secure=request.is_secure(),
            feed_path=request.path + ("?full=1" if full else ""),
            tag_authority=settings.FEED_TAG_AUTHORITY or split_domain_port(host)[0] or host,
        )

    def get_feed(self, scope, request):
        """The feed generator, filled: what Django's ``Feed.get_feed`` would give it."""
        feed = self.feed_type(
            title=self.title(scope),
            subtitle=self.subtitle(scope),
            link=scope.absolute(self.link(scope)),
            description=self.description(scope),
            language=settings.LANGUAGE_CODE,
            feed_url=scope.absolute(scope.feed_path),
            categories=self.categories(scope),
            feed_guid=scope.absolute(scope.feed_path),
            ttl=max(1, settings.FEED_CACHE_MAX_AGE // 60),
        )
        rows = feed_rows(
            category=scope.category, tag=scope.tag, series=scope.series, full=scope.full
        )
        for row, tag_names in rows:
            feed.add_item(**self.item(row, tag_names, scope))
        return feed

    # --- The feed ---

    def title(self, scope):
        return settings.SITE_TITLE

    def description(self, scope):
        return settings.SITE_DESCRIPTION

    def subtitle(self, scope):
        return self.description(scope)

    def link(self, scope):
        return reverse("feeds:home")

    def categories(self, scope):
        return None

    # --- Each item ---

    def item(self, row, tag_names, scope):
        """``add_item``'s arguments for one row of ``feed_rows``."""
        link = scope.absolute(article_url(row.slug))
        # The author's full name, as User.get_full_name; Atom requires an author, and a login
        # name is not for publishing.
        author = f"{row.author__first_name} {row.author__last_name}".strip()
        # The last content change, never before publication: whitespace or tag edits don't
        # count (Article.last_revised_at).
        revised = max(filter(None, (row.revised_at, row.published_at)), default=None)
        item = {
            # Plain text, formulas readable: the XML layer escapes it, once.
            "title": row.title_text or row.title,
            "link": link,
            "description": row.summary_feed_html,
            "unique_id": item_tag_uri(row, scope.tag_authority),
            "unique_id_is_permalink": False,
            "pubdate": row.published_at,
            "updateddate": revised,
            "author_name": author or settings.SITE_TITLE,
            "categories": [row.category__name, *tag_names],
            "summary_text": row.summary_text,
        }
        if scope.full:
            item["content"] = absolutize_urls(row.body_feed_html, link)
        return item


class CategoryFeed(StreamFeed):
    def get_state(self, *, slug):
        return stream_state(category_slug=slug)

    def get_object(self, request, *, slug):
        scope = super().get_object(request)
        category = get_object_or_404(Category, slug=slug)
        return replace(scope, category=category)

    def title(self, scope):
        return f"{scope.category.name} · {settings.SITE_TITLE}"

    def description(self, scope):
        return scope.category.description or settings.SITE_DESCRIPTION

    def link(self, scope):
        return scope.category.get_absolute_url()

    def categories(self, scope):
        return [scope.category.name]


class TagFeed(StreamFeed):
    def get_state(self, *, slug):
        return stream_state(tag_slug=slug)

    def get_object(self, request, *, slug):
        scope = super().get_object(request)
        tag = get_object_or_404(Tag, slug=slug)
        return replace(scope, tag=tag)

    def title(self, scope):
        return f"#{scope.tag.name} · {settings.SITE_TITLE}"

    def description(self, scope):
        return f"标签 {scope.tag.name} 下的笔记 · {settings.SITE_DESCRIPTION}"

    def link(self, scope):
        return reverse("feeds:tag_detail", kwargs={"slug": scope.tag.slug})

    def categories(self, scope):
        return [scope.tag.name]


class SeriesFeed(StreamFeed):
    def get_state(self, *, slug):
        return stream_state(series_slug=slug)

    def get_object(self, request, *, slug):
        scope = super().get_object(request)
        series = get_object_or_404(Series, slug=slug)
        return replace(scope, series=series)

    def title(self, scope):
        return f"系列：{scope.series.title} · {settings.SITE_TITLE}"

    def description(self, scope):
        return scope.series.description or f"系列「{scope.series.title}」的笔记"

    def link(self, scope):
        return scope.series.get_absolute_url()

    def categories(self, scope):
        return [scope.series.title]
