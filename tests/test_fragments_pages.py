"""Pages with the fragment cache on and the page cache off (every page rendered): the list
pages' sidebar is kept for the current generation, so a kept one runs no query, and it shows
every change on the very next request, and a scheduled note at its time."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from tests.factories import ArticleFactory, CategoryFactory


@pytest.fixture(autouse=True)
def rendered_pages(page_cache, settings):
    """The fragment cache on, the page cache off: every request renders its page."""
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def rl(db):
    category = CategoryFactory(name="RL", slug="rl")
    ArticleFactory(category=category, tags=["PPO"])
    return category


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def sidebar(client, url="/"):
    html = get(client, url)
    return html[html.index('<aside class="reader-sidebar"') : html.index("</aside>")]


def category_count(name, slug, count):
    return f'<a href="/categories/{slug}/">{name}</a> <span class="count">{count}</span>'


def tag_count(name, count):
    return f'#{name} <span class="count">{count}</span>'


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


def test_a_kept_sidebar_runs_no_query_on_any_list_page(client, rl):
    computed = sidebar(client)
    # The pages' own queries (tests/test_lean_queries.py), none of the sidebar's three.
    for url, count in (("/", 2), ("/categories/rl/", 3), ("/tags/ppo/", 3)):
        assert len(queries_of(client, url)) == count, url
    assert sidebar(client, "/categories/rl/") == computed


def test_with_fragments_off_the_sidebar_is_computed_each_time(client, rl, settings):
    settings.FRAGMENT_CACHE_ENABLED = False
    assert len(queries_of(client, "/")) == 5
    assert len(queries_of(client, "/")) == 5


def test_publishing_unpublishing_and_deleting_change_the_counts(client, rl, committing):
    draft = ArticleFactory(category=rl, tags=["PPO"], draft=True)
    assert category_count("RL", "rl", 1) in sidebar(client)
    with committing():
        draft.status = draft.Status.PUBLISHED
        draft.save()
    kept = sidebar(client)
    assert category_count("RL", "rl", 2) in kept and tag_count("PPO", 2) in kept
    with committing():
        draft.status = draft.Status.DRAFT
        draft.save()
    assert tag_count("PPO", 1) in sidebar(client)
    with committing():
        type(draft).objects.filter(category=rl).delete()
    kept = sidebar(client)
    assert "/categories/rl/" not in kept and "#PPO" not in kept


def test_recategorising_a_note_moves_its_count(client, rl, committing):
    other = CategoryFactory(name="LLM", slug="llm")
    ArticleFactory(category=other)
    note = ArticleFactory(category=rl)
    assert category_count("RL", "rl", 2) in sidebar(client)
    with committing():
        note.category = other
        note.save()
    kept = sidebar(client)
    assert category_count("RL", "rl", 1) in kept and category_count("LLM", "llm", 2) in kept


def test_renaming_a_tag_or_a_category_shows_at_once(client, rl, committing):
    assert tag_count("PPO", 1) in sidebar(client)
    with committing():
        tag = Tag.objects.get(name="PPO")
        tag.name = "近端策略优化"
        tag.save()
    assert tag_count("近端策略优化", 1) in sidebar(client)
    with committing():
        rl.name = "强化学习"
        rl.save()
    assert category_count("强化学习", "rl", 1) in sidebar(client)


def test_a_scheduled_note_is_counted_at_its_time(client, rl):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        ArticleFactory(category=rl, tags=["PPO"], published_at=start + timedelta(minutes=5))
        assert tag_count("PPO", 1) in sidebar(client)
        clock.move_to(start + timedelta(minutes=4))
        assert tag_count("PPO", 1) in sidebar(client)
        assert len(queries_of(client, "/")) == 2  # still kept
        clock.move_to(start + timedelta(minutes=6))
        kept = sidebar(client)
        assert tag_count("PPO", 2) in kept and category_count("RL", "rl", 2) in kept
