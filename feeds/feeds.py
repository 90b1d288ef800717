"""The site's feeds: the whole stream, a category's, a tag's and a series', each as RSS, Atom or
JSON Feed.

One ``Feed`` class per scope; the format is the generator passed at construction (see urls.py).
Items come from ``feeds.stream.latest_updates``, the same stream as the home page, and carry
the HTML stored at save time by ``articles.rendering``: ``summary_feed_html`` by default, plus
``body_feed_html`` with absolute URLs in the full-content variant (``?full=1``).
"""

from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.syndication.views import Feed, add_domain
from django.http import HttpResponseNotAllowed
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Category
from feeds.conditional import FeedValidators
from feeds.html import absolutize_urls
from feeds.stream import latest_updates, stream_state
from pagecache.generation import current_or_none as current_generation
from series.models import Series

FULL_CONTENT_VALUES = {"1", "true", "yes"}


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


@dataclass(frozen=True)
class FeedEntry:
    """A note as a feed item: the item methods need the request's scope as well as the note."""

    article: Article
    scope: FeedScope


def wants_full_content(request):
    return request.GET.get("full", "").strip().lower() in FULL_CONTENT_VALUES


def item_tag_uri(article, authority):
    """An id that lives as long as the note: its pk and creation date, never slug or title."""
    return f"tag:{authority},{article.created_at:%Y-%m-%d}:/notes/{article.pk}"


class StreamFeed(Feed):
    """The whole site's stream; subclasses narrow it to a category or a tag.

    ``__call__`` answers conditional GETs before anything is built, from the page cache's
    generation when it is on (no query) or else from ``stream_state`` (one query), then lets
    Django's ``Feed`` build the response and puts the validators on it. The validators are
    read first, so a feed is never older than them: a change in between costs the reader one
    more download, never a missed note.
    """

    def __init__(self, feed_type):
        self.feed_type = feed_type

    def __call__(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        validators = self.get_validators(request, **kwargs)
        if validators is not None and validators.match(request):
            return validators.not_modified()
        response = super().__call__(request, *args, **kwargs)  # 404 for an unknown scope
        if validators is not None and response.status_code == 200:
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

    # --- The feed ---

    @property
    def language(self):
        return settings.LANGUAGE_CODE

    def title(self, scope):
        return settings.SITE_TITLE

    def description(self, scope):
        return settings.SITE_DESCRIPTION

    def subtitle(self, scope):
        return self.description(scope)

    def link(self, scope):
        return reverse("feeds:home")

    def feed_url(self, scope):
        return scope.feed_path

    def feed_guid(self, scope):
        return scope.absolute(scope.feed_path)

    def ttl(self, scope):
        return max(1, settings.FEED_CACHE_MAX_AGE // 60)

    def items(self, scope):
        articles = latest_updates(
            category=scope.category, tag=scope.tag, series=scope.series, full=scope.full
        )
        return [FeedEntry(article, scope) for article in articles]

    # --- Each item ---

    def item_title(self, entry):
        # Plain text, formulas readable: the XML layer escapes it, once.
        return entry.article.title_text or entry.article.title

    def item_link(self, entry):
        return entry.article.get_absolute_url()

    def item_description(self, entry):
        return entry.article.summary_feed_html

    def item_guid(self, entry):
        return item_tag_uri(entry.article, entry.scope.tag_authority)

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.article.published_at

    def item_updateddate(self, entry):
        # The last content change, never before publication: whitespace or tag edits don't count.
        return entry.article.last_revised_at

    def item_author_name(self, entry):
        # Atom requires an author; a login name is not for publishing.
        return entry.article.author.get_full_name() or settings.SITE_TITLE

    def item_categories(self, entry):
        return [entry.article.category.name, *entry.article.tag_names]

    def item_extra_kwargs(self, entry):
        article, scope = entry.article, entry.scope
        extra = {"summary_text": article.summary_text}
        if scope.full:
            base = scope.absolute(article.get_absolute_url())
            extra["content"] = absolutize_urls(article.body_feed_html, base)
        return extra


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
