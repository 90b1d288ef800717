"""The page cache's in-process layer (pagecache/local.py): a worker serves the pages it holds
for the current generation after reading only the generation, never a page of another one."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from articles.models import Article
from pagecache import generation
from pagecache.local import ENTRY_OVERHEAD, LocalPages
from pagecache.middleware import Entry

pytestmark = pytest.mark.usefixtures("page_cache")


@pytest.fixture
def reads(monkeypatch):
    """The keys each ``get_many`` of the page cache asked for, in order."""
    asked = []
    cache = caches["default"]
    get_many = cache.get_many

    def spy(keys, *args, **kwargs):
        asked.append(list(keys))
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", spy)
    return asked


def page_keys(asked):
    return [key for keys in asked for key in keys if ":page:" in key]


def test_a_held_page_costs_only_the_generation(client, article, reads):
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    reads.clear()
    hit = client.get("/")
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == first.content
    assert len(reads) == 1  # one MGET: the generation, its start and its next publication
    assert page_keys(reads) == []


def test_another_worker_reads_the_page_from_the_shared_cache(client, article, reads):
    client.get("/")
    reads.clear()
    other = Client()  # its own middleware: nothing held in memory yet
    assert other.get("/")["X-Page-Cache"] == "hit"
    assert len(page_keys(reads)) == 1
    reads.clear()
    assert other.get("/")["X-Page-Cache"] == "hit"
    assert page_keys(reads) == []


def test_a_change_elsewhere_is_seen_on_the_next_request(client, article):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    Article.objects.filter(pk=article.pk).update(title="别处改的标题", title_html="别处改的标题")
    generation.bump()  # as another worker's save does, in the shared cache
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "别处改的标题" in response.content.decode()


def test_a_held_page_is_not_used_after_its_shared_copy_expires(client, article, settings):
    settings.PAGE_CACHE_TIMEOUT = 60
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        client.get("/")
        assert client.get("/")["X-Page-Cache"] == "hit"
    with time_machine.travel(now + timedelta(seconds=61), tick=False):
        assert client.get("/")["X-Page-Cache"] == "miss"


def test_off_means_every_hit_reads_the_page(article, settings, reads):
    settings.PAGE_CACHE_LOCAL_MAX_BYTES = 0
    client = Client()
    client.get("/")
    reads.clear()
    assert client.get("/")["X-Page-Cache"] == "hit"
    assert len(page_keys(reads)) == 1


def entry(size, expires=float("inf")):
    return Entry(200, [], b"x" * size, True, expires)


def test_memory_is_bounded_least_recently_used_first():
    pages = LocalPages(max_bytes=3 * (100 + ENTRY_OVERHEAD))
    for name in ("a", "b", "c"):
        pages.put(1, name, entry(100))
    assert pages.get(1, "a") is not None  # now the most recently used
    pages.put(1, "d", entry(100))
    assert pages.get(1, "b") is None
    assert all(pages.get(1, name) is not None for name in ("a", "c", "d"))
    pages.put(1, "huge", entry(10**6))  # larger than the budget: not kept, nothing lost
    assert pages.get(1, "huge") is None
    assert pages.get(1, "a") is not None
    assert pages.get(2, "a") is None  # another generation
    pages.put(1, "old", entry(10, expires=0))
    assert pages.get(1, "old") is None
