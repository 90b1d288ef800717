"""The page cache: hits without queries, every kind of change invalidates, scheduled notes,
session holders, a shared Redis between processes, a cache that is down."""

import io
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import reversion
import time_machine
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article
from pagecache import generation
from pagecache.middleware import is_storable
from tests.factories import ArticleFactory, CategoryFactory

REDIS_URL = "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parent.parent


# Every test runs with the page cache on (conftest.page_cache).
pytestmark = pytest.mark.usefixtures("page_cache")


def cached_twice(client, url):
    """Fetch ``url`` until it is a hit; returns the hit."""
    client.get(url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit", url
    return response


PUBLIC_URLS = [
    "/",
    "/?page=1",
    "/articles/注意力机制/",
    "/categories/",
    "/categories/{category}/",
    "/tags/transformer/",
    "/archive/{year}/",
    "/archive/{year}/{month:02d}/",
    "/search/?q=注意力",
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/json/",
    "/feeds/categories/{category}/rss/",
    "/feeds/tags/transformer/atom/",
    "/sitemap.xml",
    "/robots.txt",
]


@pytest.mark.parametrize("template", PUBLIC_URLS)
def test_a_hit_runs_no_query(client, article, template, django_assert_num_queries):
    when = timezone.localtime(article.published_at)
    url = template.format(category=article.category.slug, year=when.year, month=when.month)
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = client.get(url)
        head = client.head(url)
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == first.content
    assert head.status_code == 200


def test_pages_are_keyed_by_host_and_query(client, article, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    cached_twice(client, "/")
    assert client.get("/", HTTP_HOST="other.example")["X-Page-Cache"] == "miss"
    assert client.get("/?page=1")["X-Page-Cache"] == "miss"


def test_unknown_query_parameters_are_served_uncached(client, article):
    for _ in range(2):
        response = client.get("/?utm_source=feed")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response


# --- Every kind of change invalidates (one test per kind) ------------------------------------


def test_editing_a_note(client, article, committing):
    cached_twice(client, "/")
    with committing():
        article.title = "改过的标题"
        article.save()
    assert "改过的标题" in client.get("/").content.decode()


def test_publishing_a_draft(client, article, committing):
    draft = ArticleFactory(title="尚未发布的草稿", draft=True)
    cached_twice(client, "/")
    with committing():
        draft.status = Article.Status.PUBLISHED
        draft.save()
    assert "尚未发布的草稿" in client.get("/").content.decode()


def test_unpublishing_a_note(client, article, committing):
    cached_twice(client, article.get_absolute_url())
    with committing():
        article.status = Article.Status.DRAFT
        article.save()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_deleting_a_note(client, article, committing):
    url = article.get_absolute_url()
    cached_twice(client, "/")
    cached_twice(client, url)
    with committing():
        article.delete()
    assert client.get(url).status_code == 404
    assert article.title not in client.get("/").content.decode()


def test_restoring_a_deleted_note(client, committing):
    with reversion.create_revision():
        note = ArticleFactory(title="会被恢复的笔记")
    url = note.get_absolute_url()
    with committing():
        note.delete()
    assert client.get(url).status_code == 404
    cached_twice(client, "/")
    with committing():
        Version.objects.get_deleted(Article).get().revert()
    assert client.get(url).status_code == 200
    assert "会被恢复的笔记" in client.get("/").content.decode()


def test_changing_a_notes_tags(client, article, committing):
    url = article.get_absolute_url()
    cached_twice(client, url)
    with committing():
        article.tags.add("新标签")
    assert "#新标签" in client.get(url).content.decode()
    cached_twice(client, url)
    with committing():
        article.tags.remove("新标签")
    assert "#新标签" not in client.get(url).content.decode()


def test_renaming_a_tag(client, article, committing):
    url = article.get_absolute_url()
    cached_twice(client, url)
    with committing():
        tag = Tag.objects.get(name="Transformer")
        tag.name = "变换器"
        tag.save()
    assert "#变换器" in client.get(url).content.decode()


def test_renaming_a_category(client, article, committing):
    cached_twice(client, "/")
    with committing():
        category = article.category
        category.name = "新分类名"
        category.save()
    assert "新分类名" in client.get("/").content.decode()


def test_adding_a_category(client, article, committing):
    cached_twice(client, "/categories/")
    with committing():
        CategoryFactory(name="全新分类", slug="brand-new")
    assert "全新分类" in client.get("/categories/").content.decode()


def test_renaming_an_author(client, article, committing):
    cached_twice(client, "/feeds/atom/")
    with committing():
        author = article.author
        author.first_name, author.last_name = "Ada", "Lovelace"
        author.save()
    assert "Ada Lovelace" in client.get("/feeds/atom/").content.decode()


def test_a_login_does_not_invalidate(client, article, committing):
    cached_twice(client, "/")
    with committing():
        article.author.last_login = timezone.now()
        article.author.save(update_fields=["last_login"])
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_changing_a_setting_the_pages_show(client, article, settings):
    cached_twice(client, "/")
    settings.SITE_TAGLINE = "NEW TRANSMISSION"
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "NEW TRANSMISSION" in response.content.decode()


def test_a_rolled_back_change_does_not_invalidate(client, article, committing):
    cached_twice(client, "/")
    before = generation.current_number()
    with committing(), pytest.raises(RuntimeError), transaction.atomic():
        article.title = "回滚"
        article.save()
        raise RuntimeError
    assert generation.current_number() == before
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_bulk_writes_invalidate_through_the_command(client, article):
    from django.core.management import call_command

    cached_twice(client, "/")
    Article.objects.filter(pk=article.pk).update(
        title="批量改写", title_html="批量改写"
    )  # no signals
    assert client.get("/")["X-Page-Cache"] == "hit"
    call_command("invalidate_pages", verbosity=0)
    assert "批量改写" in client.get("/").content.decode()


def test_an_invalidation_that_fails_is_retried_before_the_next_page(
    client, article, committing, monkeypatch
):
    cached_twice(client, "/")
    before = generation.current_number()
    page_cache = caches["default"]
    real_incr = page_cache.incr

    def unreachable(*args, **kwargs):
        monkeypatch.setattr(page_cache, "incr", real_incr)  # reachable again afterwards
        raise ConnectionError("Redis unreachable")

    monkeypatch.setattr(page_cache, "incr", unreachable)
    with committing():
        article.title = "失败后重试"
        article.save()
    assert generation.current_number() == before  # the change did not get through
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "失败后重试" in response.content.decode()
    assert generation.current_number() > before


@pytest.mark.parametrize("command", ["rerender_articles", "rebuild_search_index"])
def test_commands_that_rewrite_without_signals_invalidate(
    client, article, command, settings, committing
):
    from django.core.management import call_command

    settings.SUMMARY_LENGTH = 20  # something for rerender_articles to rewrite
    cached_twice(client, "/")
    before = generation.current_number()
    with committing():
        call_command(command, verbosity=0, stdout=io.StringIO())
    assert generation.current_number() > before


# --- Scheduled notes, the generation's clock ------------------------------------------------


def test_a_scheduled_note_appears_at_its_time(client, article):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        scheduled = ArticleFactory(
            title="定时发布的笔记", published_at=start + timedelta(minutes=5)
        )
        home = cached_twice(client, "/")
        assert "定时发布的笔记" not in home.content.decode()
        clock.move_to(start + timedelta(minutes=4))
        assert client.get("/")["X-Page-Cache"] == "hit"
        clock.move_to(scheduled.published_at + timedelta(seconds=1))
        response = client.get("/")
        assert response["X-Page-Cache"] == "miss"
        assert "定时发布的笔记" in response.content.decode()
        assert response["ETag"] != home["ETag"]


def test_a_cached_page_never_outlives_the_next_publication(client, article, monkeypatch):
    ArticleFactory(published_at=timezone.now() + timedelta(seconds=90))
    stored = []
    page_cache = caches["default"]
    original_set = page_cache.set
    monkeypatch.setattr(
        page_cache,
        "set",
        lambda key, value, timeout=None: (
            stored.append((key, timeout)) or original_set(key, value, timeout)
        ),
    )
    client.get("/")
    page_timeouts = [timeout for key, timeout in stored if ":page:" in key]
    assert page_timeouts and 85 <= page_timeouts[0] <= 90


def test_the_generation_never_goes_back_when_the_cache_loses_it():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            generation.bump()
        before = generation.current_number()
        cache.delete(generation.GENERATION_KEY)  # Redis restarted: it keeps nothing on disk
        clock.shift(timedelta(milliseconds=1))
        assert generation.current_number() > before


# --- Session holders ----------------------------------------------------------------------


# ``client`` and ``staff_client`` are one client (logged in): readers get their own.


def test_staff_never_get_a_cached_page(staff_client, article):
    cached_twice(Client(), "/")
    response = staff_client.get("/")
    assert response["X-Page-Cache"] == "bypass"
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_anonymous_readers_never_get_a_staff_page(staff_client, hidden_articles):
    draft = hidden_articles[0]
    staff_page = staff_client.get(draft.get_absolute_url())
    assert staff_page.status_code == 200 and "draft-banner" in staff_page.content.decode()
    staff_client.get("/")
    anonymous = Client()
    assert anonymous.get(draft.get_absolute_url()).status_code == 404
    home = anonymous.get("/")
    assert home["X-Page-Cache"] == "miss"  # nothing the staff member saw was stored


def test_a_response_with_a_cookie_or_vary_is_never_stored(article):
    request = RequestFactory().get("/")
    request.resolver_match = type("Match", (), {"namespace": "feeds", "url_name": "home"})()
    assert is_storable(request, HttpResponse("ok"))
    with_cookie = HttpResponse("csrf")
    with_cookie.set_cookie("csrftoken", "x")
    varying = HttpResponse("session")
    varying["Vary"] = "Cookie"
    private = HttpResponse("private")
    private["Cache-Control"] = "private"
    for response in (with_cookie, varying, private):
        assert not is_storable(request, response)


# --- Redis: shared between processes, or down --------------------------------------------


@pytest.fixture
def shared_redis(settings):
    prefix = f"test-pagecache-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        },
    }
    settings.PAGE_CACHE_ALIAS = "pages"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def other_worker(prefix, action):
    """Another process on the same Redis: ``bump`` the generation or ``read`` it."""
    script = f"""
import django
django.setup()
from django.core.cache.backends.redis import RedisCache
from pagecache import generation
cache = RedisCache({REDIS_URL!r}, {{"KEY_PREFIX": {prefix!r}}})
print(generation.bump(cache) if {action!r} == "bump" else generation.current_number(cache))
"""
    env = {"DJANGO_SETTINGS_MODULE": "notes_site.settings.test", "SEARCH_WARM_UP": "false"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_two_processes_sharing_redis_see_a_change_at_once(
    client, article, shared_redis, committing
):
    cached_twice(client, "/")
    Article.objects.filter(pk=article.pk).update(
        title="另一个进程改的", title_html="另一个进程改的"
    )  # as if saved elsewhere
    assert client.get("/")["X-Page-Cache"] == "hit"
    bumped = other_worker(shared_redis, "bump")
    assert generation.current_number() == bumped
    assert "另一个进程改的" in client.get("/").content.decode()

    with committing():
        article.title = "这个进程改的"
        article.save()
    assert other_worker(shared_redis, "read") == generation.current_number() > bumped


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.redis.RedisCache",
        "notes_site.cache_backends.DegradingRedisCache",
    ],
)
def test_a_cache_that_is_down_means_uncached_pages(client, article, settings, backend):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": backend,
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    settings.PAGE_CACHE_ALIAS = "pages"
    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200
        assert article.title in response.content.decode()
        assert "X-Page-Cache" not in response
