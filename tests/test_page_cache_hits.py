"""The hit path of the page cache: served before the security middleware with the headers
stored with the page, one cache round trip, static files and plain HTTP passed through, one
Redis client per connection pool."""

import pytest
from django.http import HttpResponse
from django.test import Client

from notes_site.cache_backends import DegradingRedisCache
from pagecache import generation
from pagecache.middleware import is_storable
from tests.test_page_cache import REDIS_URL, cached_twice
from tests.test_security import production_headers  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("page_cache")

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
)


def test_a_hit_carries_the_security_headers_of_the_page_and_its_own_request_id(
    production_headers,  # noqa: F811
    article,
):
    client = Client()
    miss = client.get("/", secure=True)
    assert miss["X-Page-Cache"] == "miss"
    hit = client.get("/", secure=True)
    assert hit["X-Page-Cache"] == "hit"
    for header in SECURITY_HEADERS:
        assert hit[header] == miss[header], header
    assert "frame-ancestors 'none'" in hit["Content-Security-Policy"]
    assert "nonce-" not in hit["Content-Security-Policy"]  # nothing per request is reused
    assert hit["X-Request-ID"] != miss["X-Request-ID"]


def test_plain_http_is_redirected_even_with_a_current_etag(
    production_headers,  # noqa: F811
    article,
):
    client = Client()
    client.get("/", secure=True)
    etag = client.get("/", secure=True)["ETag"]
    response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_static_files_never_ask_the_page_cache(client, monkeypatch, settings):
    def refuse(*args, **kwargs):
        pytest.fail("the page cache was read for a static file")

    monkeypatch.setattr(generation, "current", refuse)
    response = client.get(settings.STATIC_URL + "css/site.css")
    assert response.status_code in (200, 404)  # whoever serves static files, not the cache


class CountingCache:
    """Counts the calls that reach the page cache (each one is a round trip on Redis)."""

    def __init__(self, cache):
        self.cache, self.calls = cache, []

    def __getattr__(self, name):
        attribute = getattr(self.cache, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted


def test_a_hit_is_one_round_trip_and_a_bump_is_seen_on_the_next_request(
    client, article, monkeypatch
):
    cached_twice(client, "/")
    counting = CountingCache(generation.page_cache())
    monkeypatch.setattr(generation, "page_cache", lambda: counting)
    assert client.get("/")["X-Page-Cache"] == "hit"
    assert counting.calls == ["get_many"]

    generation.bump(counting.cache)  # as another worker would
    counting.calls.clear()
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert counting.calls[:2] == ["get_many", "get_many"]  # the guess failed, read again
    counting.calls.clear()
    assert client.get("/")["X-Page-Cache"] == "hit"
    assert counting.calls == ["get_many"]


def test_the_degrading_cache_reuses_one_redis_client_per_pool():
    cache = DegradingRedisCache(REDIS_URL, {"KEY_PREFIX": "test-reuse"})
    first = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is first
    cache.set("key", "value", 5)
    assert cache.get("key") == "value"
    assert cache._cache.get_client() is first
    cache.delete("key")


def test_a_page_whose_csp_has_a_nonce_is_never_stored(rf):
    request = rf.get("/")
    request.resolver_match = type("Match", (), {"namespace": "feeds", "url_name": "home"})()
    page = HttpResponse("page")
    assert is_storable(request, page)
    page["Content-Security-Policy"] = "script-src 'self' 'nonce-abc123'"
    assert not is_storable(request, page)
