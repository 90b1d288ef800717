"""HTTP caching of the HTML pages: validators, 304s, Cache-Control, the purge hook."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from tests.factories import ArticleFactory

# Every test runs with the page cache on (conftest.page_cache).
pytestmark = pytest.mark.usefixtures("page_cache")


def test_html_pages_send_validators_and_lifetimes_from_the_settings(client, article, settings):
    settings.HTTP_CACHE_MAX_AGE = 60
    settings.HTTP_CACHE_S_MAXAGE = 600
    settings.HTTP_CACHE_STALE_WHILE_REVALIDATE = 30
    for url in ("/", article.get_absolute_url(), "/categories/", "/search/?q=注意力"):
        response = client.get(url)
        assert response["Cache-Control"] == (
            "public, max-age=60, s-maxage=600, stale-while-revalidate=30"
        )
        assert response["ETag"].startswith('W/"')
        assert parse_http_date(response["Last-Modified"]) <= timezone.now().timestamp()
    # One generation: one validator for every page, on a miss and on a hit alike.
    assert client.get("/")["ETag"] == client.get(article.get_absolute_url())["ETag"]


def test_a_head_request_gets_the_validators_and_leaves_the_cache_to_get(client, article):
    head = client.head("/")
    assert head.status_code == 200 and head["ETag"].startswith('W/"')
    assert "X-Page-Cache" not in head  # not stored from a HEAD
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.head("/")["X-Page-Cache"] == "hit"


def test_304_on_a_hit_without_queries(client, article, django_assert_num_queries):
    url = article.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    for response in (by_etag, by_date):
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == first["ETag"]
        assert response["Cache-Control"] == first["Cache-Control"]


def test_304_before_any_view_runs_on_a_miss(client, article, django_assert_max_num_queries):
    etag = client.get("/")["ETag"]
    # The note page is not cached yet: the generation alone decides, at most one query.
    with django_assert_max_num_queries(1):
        response = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    cache.clear()  # a new generation: the old validator no longer matches
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_change_makes_the_old_validators_stale(client, article, committing):
    first = client.get("/")
    with committing():
        article.title = "新的标题"
        article.save()
    response = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    # If-Modified-Since must match exactly; an older or newer date is a full page.
    earlier = http_date(parse_http_date(first["Last-Modified"]) - 10)
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_lifetimes_stop_at_the_next_scheduled_publication(client, article, settings):
    settings.HTTP_CACHE_MAX_AGE = 60
    settings.HTTP_CACHE_S_MAXAGE = 600
    settings.HTTP_CACHE_STALE_WHILE_REVALIDATE = 30
    ArticleFactory(published_at=timezone.now() + timedelta(seconds=45))
    directives = dict(
        (part.strip().split("=") + [None])[:2]
        for part in client.get("/")["Cache-Control"].split(",")
    )
    assert 40 <= int(directives["max-age"]) <= 45
    assert 40 <= int(directives["s-maxage"]) <= 45
    assert "stale-while-revalidate" not in directives


def test_feeds_keep_their_own_validators_and_304_from_the_cache(
    client, article, settings, django_assert_num_queries
):
    first = client.get("/feeds/rss/")
    assert first["Cache-Control"] == f"public, max-age={settings.FEED_CACHE_MAX_AGE}"
    with django_assert_num_queries(0):
        response = client.get("/feeds/rss/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304


def test_session_holders_get_private_pages_and_no_304_from_the_cache(staff_client, article):
    etag = Client().get("/")["ETag"]
    response = staff_client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "ETag" not in response


def test_error_pages_are_neither_cached_nor_validated(client, article):
    for _ in range(2):
        response = client.get("/articles/no-such-note/")
        assert response.status_code == 404
        assert "X-Page-Cache" not in response
        assert "ETag" not in response


# --- The purge hook ----------------------------------------------------------------------


@pytest.fixture
def purge_server(settings):
    """A proxy stand-in that records the PURGE requests it gets."""
    received, arrived = [], threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 - the HTTP method's name
            received.append(unquote(self.path))
            arrived.set()
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PAGE_CACHE_PURGE_URL = f"http://127.0.0.1:{server.server_port}{{path}}"
    settings.PAGE_CACHE_PURGE_METHOD = "PURGE"
    yield received, arrived
    server.shutdown()
    server.server_close()


def wait_for(received, arrived, path, seconds=5.0):
    deadline = timezone.now() + timedelta(seconds=seconds)
    while path not in received and timezone.now() < deadline:
        arrived.wait(0.05)
        arrived.clear()
    return path in received


def test_purge_hook_gets_the_changed_paths_after_commit(article, purge_server, committing):
    received, arrived = purge_server
    old_url = unquote(article.get_absolute_url())
    with committing():
        article.slug = "新的地址"
        article.save()
        assert received == []  # nothing before the commit
    assert wait_for(received, arrived, "/articles/新的地址/")
    assert wait_for(received, arrived, old_url)
    for path in ("/", article.category.get_absolute_url(), "/tags/transformer/", "/feeds/rss/"):
        assert wait_for(received, arrived, path), path
    for path in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-categories.xml"):
        assert wait_for(received, arrived, path), path


def test_purge_hook_covers_the_series_of_a_changed_note(article, purge_server, committing):
    from tests.factories_series import SeriesPartFactory

    part = SeriesPartFactory(article=article, series__slug="rl-basics")
    received, arrived = purge_server
    with committing():
        article.title = "改过的标题"
        article.save()
    for path in ("/series/rl-basics/", "/feeds/series/rl-basics/rss/", "/series/", "/archive/"):
        assert wait_for(received, arrived, path), path
    assert part.series.get_absolute_url() == "/series/rl-basics/"


def test_purge_hook_is_off_by_default(article, settings, committing, monkeypatch):
    from pagecache import purge

    assert settings.PAGE_CACHE_PURGE_URL == ""
    monkeypatch.setattr(purge, "send_in_background", lambda paths: pytest.fail("purged"))
    with committing():
        article.save()


def test_feed_validators_come_from_the_generation(client, article, committing):
    first = client.get("/feeds/atom/")
    full = client.get("/feeds/atom/?full=1")
    # ?full=yes is the same feed under another cache key: not cached, so the view answers,
    # from the generation, before building anything.
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/feeds/atom/?full=yes", HTTP_IF_NONE_MATCH=full["ETag"])
    assert response.status_code == 304 and len(queries) == 0
    assert "X-Page-Cache" not in response
    with committing():
        tag = article.tags.get(name="Transformer")
        tag.name = "变换器"
        tag.save()  # the note's dates do not move; the feed's ETag does
    renamed = client.get("/feeds/atom/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert renamed.status_code == 200
    assert "变换器" in renamed.content.decode()


def test_feed_validators_come_from_the_generation_with_only_fragments_kept(
    client, article, settings
):
    settings.PAGE_CACHE_ENABLED = False
    first = client.get("/feeds/rss/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/feeds/rss/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304 and len(queries) == 0
    settings.FRAGMENT_CACHE_ENABLED = False  # no generation in use: the stream's state, queried
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/feeds/rss/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200 and len(queries) == 1 + 2  # its state, notes and tags


def test_feed_of_an_unknown_scope_is_a_404_without_validators(client, article):
    response = client.get("/feeds/tags/no-such-tag/rss/")
    assert response.status_code == 404
    assert "ETag" not in response and "public" not in response.get("Cache-Control", "")
