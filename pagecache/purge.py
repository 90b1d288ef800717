"""The purge hook: tell a CDN or reverse proxy in front which paths changed (off by default).

``PAGE_CACHE_PURGE_URL`` is a URL template with ``{path}`` (e.g. ``http://varnish:6081{path}``
with ``PAGE_CACHE_PURGE_METHOD=PURGE``); after commit one request per changed path is sent
from a background thread, so a slow or broken proxy never slows an author's save. Paths are
the ones a change shows on: the note, its category, tags, archives, the lists, the feeds, the
sitemap index and the first file of each of its sections. Paginated pages (``?page=N``, a
section's ``?p=N``) are the proxy's to purge by prefix; a proxy that cannot should keep
``HTTP_CACHE_S_MAXAGE`` short.
"""

import logging
import threading
import urllib.request

from django.conf import settings
from django.urls import reverse
from django.utils.encoding import iri_to_uri

logger = logging.getLogger(__name__)

FEED_FORMATS = ("rss", "atom", "json")


def enabled():
    return bool(settings.PAGE_CACHE_PURGE_URL)


def site_paths():
    from notes_site.sitemaps import SITEMAPS

    return [
        reverse("feeds:home"),
        reverse("articles:category_list"),
        reverse("feeds:archive_index"),
        reverse("series:index"),
        reverse("search:results"),
        reverse("sitemap"),
        *(reverse("sitemap_section", kwargs={"section": name}) for name in SITEMAPS),
        *(reverse(f"feeds:{name}") for name in FEED_FORMATS),
    ]


def category_paths(category):
    slug = {"slug": category.slug}
    return [
        *site_paths(),
        reverse("feeds:category_detail", kwargs=slug),
        *(reverse(f"feeds:category_{name}", kwargs=slug) for name in FEED_FORMATS),
    ]


def tag_paths(tag):
    slug = {"slug": tag.slug}
    return [
        *site_paths(),
        reverse("feeds:tag_detail", kwargs=slug),
        *(reverse(f"feeds:tag_{name}", kwargs=slug) for name in FEED_FORMATS),
    ]


def series_paths(series, article_urls=()):
    slug = {"slug": series.slug}
    return [
        *site_paths(),
        reverse("series:detail", kwargs=slug),
        *(reverse(f"feeds:series_{name}", kwargs=slug) for name in FEED_FORMATS),
        *article_urls,
    ]


def article_paths(article):
    from series.models import Series

    paths = [article.get_absolute_url(), *category_paths(article.category)]
    for series in Series.objects.filter(parts__article_id=article.pk):
        paths += series_paths(series)
    when = article.published_at
    if when is not None:
        paths += [
            reverse("feeds:archive_year", kwargs={"year": when.year}),
            reverse("feeds:archive_month", kwargs={"year": when.year, "month": when.month}),
        ]
    for tag in article.tags.all():
        paths += tag_paths(tag)
    return list(dict.fromkeys(paths))


def article_paths_in_database(pk):
    """The paths of the note as stored (before a save moves its slug or category)."""
    from articles.models import Article

    stored = Article.objects.filter(pk=pk).select_related("category").first()
    return article_paths(stored) if stored is not None else []


def send(paths):
    """One request per path; failures are logged, never raised."""
    template, method = settings.PAGE_CACHE_PURGE_URL, settings.PAGE_CACHE_PURGE_METHOD
    for path in dict.fromkeys(paths):
        url = template.format(path=iri_to_uri(path))
        try:
            request = urllib.request.Request(url, method=method)
            with urllib.request.urlopen(request, timeout=settings.PAGE_CACHE_PURGE_TIMEOUT):
                pass
        except (OSError, ValueError) as error:
            logger.warning("Purge of %s failed: %s", path, error)


def send_in_background(paths):
    thread = threading.Thread(target=send, args=(list(paths),), name="pagecache-purge", daemon=True)
    thread.start()
    return thread
