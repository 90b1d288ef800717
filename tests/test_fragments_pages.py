"""Pages with the fragment cache on and the page cache off (every page rendered): the list
pages' sidebar, the archive's counts and what a note's page shows around its body (tags,
series, previous/next, related notes, header) are kept for the current generation, so a kept
one runs no query, and they show every change on the very next request, and a scheduled note
at its time."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from taggit.models import Tag

from pagecache import generation
from tests.factories import ArticleFactory, CategoryFactory
from tests.factories_series import SeriesFactory, SeriesPartFactory

DAY = timedelta(days=1)


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


def sidebar_queries(sql):
    """The sidebar's aggregates among ``sql``: categories, popular tags, archive months."""
    marks = ('AS "article_count"', 'AS "count"', 'AS "month"')
    return [query for query in sql if any(mark in query for mark in marks)]


def test_a_kept_sidebar_runs_no_query_on_any_list_page(client, rl):
    assert len(sidebar_queries(queries_of(client, "/"))) == 3
    computed = sidebar(client)
    for url in ("/", "/categories/rl/", "/tags/ppo/"):
        assert sidebar_queries(queries_of(client, url)) == [], url
    assert sidebar(client, "/categories/rl/") == computed


def test_with_fragments_off_the_sidebar_is_computed_each_time(client, rl, settings):
    settings.FRAGMENT_CACHE_ENABLED = False
    assert len(sidebar_queries(queries_of(client, "/"))) == 3
    assert len(sidebar_queries(queries_of(client, "/"))) == 3


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


def test_a_kept_category_or_tag_page_runs_only_its_cards_query(client, rl):
    for url in ("/categories/rl/", "/tags/ppo/"):
        get(client, url)
        sql = queries_of(client, url)
        assert len(sql) == 1 and '"summary_html"' in sql[0], url  # the page's cards


def test_a_category_or_tags_new_name_and_description_show_at_once(client, rl, committing):
    assert "<h1>RL</h1>" in get(client, "/categories/rl/")
    with committing():
        rl.name = "强化学习"
        rl.description = "策略与价值"
        rl.save()
    html = get(client, "/categories/rl/")
    assert "<h1>强化学习</h1>" in html and '<p class="lead">策略与价值</p>' in html
    assert "<h1>标签：PPO</h1>" in get(client, "/tags/ppo/")
    with committing():
        tag = Tag.objects.get(slug="ppo")
        tag.name = "近端策略优化"
        tag.save()
    assert "<h1>标签：近端策略优化</h1>" in get(client, "/tags/ppo/")


def test_an_unknown_category_or_tag_is_a_404_each_time_and_nothing_is_kept(client, rl, monkeypatch):
    get(client, "/")  # the generation and the sidebar kept
    cache = generation.page_cache()
    written = []
    monkeypatch.setattr(cache, "set", lambda key, *args, **kwargs: written.append(key))
    for url in ("/categories/nope/", "/tags/nope/", "/categories/nope/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 404, url
        assert len(queries) == 1, url  # looked up each time
    assert written == []


def test_the_archive_index_keeps_its_counts_too(client, rl, committing):
    when = timezone.now() - 400 * DAY
    year = timezone.localtime(when).year
    ArticleFactory(published_at=when)
    assert len(sidebar_queries(queries_of(client, "/archive/"))) == 1
    assert sidebar_queries(queries_of(client, "/archive/")) == []
    with committing():
        ArticleFactory(published_at=when)
    assert f'{year} 年</a> <span class="count">2 篇</span>' in get(client, "/archive/")


def test_a_scheduled_note_is_counted_at_its_time(client, rl):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        ArticleFactory(category=rl, tags=["PPO"], published_at=start + timedelta(minutes=5))
        assert tag_count("PPO", 1) in sidebar(client)
        clock.move_to(start + timedelta(minutes=4))
        assert tag_count("PPO", 1) in sidebar(client)
        assert sidebar_queries(queries_of(client, "/")) == []  # still kept
        clock.move_to(start + timedelta(minutes=6))
        kept = sidebar(client)
        assert tag_count("PPO", 2) in kept and category_count("RL", "rl", 2) in kept


# --- The note page ----------------------------------------------------------------------------


@pytest.fixture
def notes(db):
    """Three notes a day apart, the middle one (``note``) in a series with the first."""
    now = timezone.now()
    older, note, newer = (
        ArticleFactory(title=title, published_at=now - days * DAY, tags=tags)
        for title, days, tags in (
            ("较早的笔记", 3, ["PPO"]),
            ("本篇笔记", 2, ["PPO", "TRPO"]),
            ("较新的笔记", 1, ["DQN"]),
        )
    )
    series = SeriesFactory(title="策略优化")
    SeriesPartFactory(series=series, article=older, position=1)
    SeriesPartFactory(series=series, article=note, position=2)
    return older, note, newer


def related(html):
    return html.partition('class="related"')[2].partition("</section>")[0]


def test_a_kept_note_page_runs_only_the_notes_query(client, notes):
    url = notes[1].get_absolute_url()
    computed = get(client, url)
    assert len(queries_of(client, url)) == 1
    assert get(client, url) == computed
    assert '<a rel="prev" href="/articles/' in computed and "较早的笔记" in related(computed)
    assert "系列：策略优化" in computed and "第 2 篇，共 2 篇" in computed
    assert '<meta property="article:tag" content="TRPO">' in computed
    description = escape(notes[1].summary_text[:50])
    for meta in ('name="description"', 'property="og:description"', 'name="twitter:description"'):
        assert f'<meta {meta} content="{description}' in computed, meta


def test_with_fragments_off_the_links_are_computed_each_time(client, notes, settings):
    settings.FRAGMENT_CACHE_ENABLED = False
    url = notes[1].get_absolute_url()
    assert len(queries_of(client, url)) == len(queries_of(client, url)) == 6


def test_a_new_note_sharing_a_tag_is_related_at_once(client, notes, committing):
    url = notes[1].get_absolute_url()
    assert "共享标签" not in related(get(client, url))
    with committing():
        ArticleFactory(title="共享标签的新笔记", tags=["TRPO"])
    assert "共享标签的新笔记" in related(get(client, url))


def test_a_neighbours_new_title_shows_at_once(client, notes, committing):
    older, note, newer = notes
    get(client, note.get_absolute_url())
    with committing():
        newer.title = "改名后的较新笔记"
        newer.save()
    html = get(client, note.get_absolute_url())
    assert '<span class="label">下一篇 →</span>改名后的较新笔记</a>' in html


def test_a_new_series_part_shows_at_once(client, notes, committing):
    older, note, newer = notes
    assert "series-next" not in get(client, note.get_absolute_url())
    with committing():
        SeriesPartFactory(series=note.series_part.series, article=newer, position=3)
    html = get(client, note.get_absolute_url())
    assert "第 2 篇，共 3 篇" in html
    assert f'class="series-next" href="{newer.get_absolute_url()}"' in html


def test_a_renamed_tag_shows_at_once(client, notes, committing):
    url = notes[1].get_absolute_url()
    get(client, url)
    with committing():
        tag = Tag.objects.get(name="TRPO")
        tag.name = "信赖域"
        tag.save()
    html = get(client, url)
    assert '<meta property="article:tag" content="信赖域">' in html
    assert f'<a href="/tags/{tag.slug}/">#信赖域</a>' in html


def test_a_scheduled_note_becomes_the_next_at_its_time(client, notes):
    older, note, newer = notes
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        ArticleFactory(title="定时的笔记", published_at=start + timedelta(minutes=5))
        url = newer.get_absolute_url()
        assert 'rel="next"' not in get(client, url)
        clock.move_to(start + timedelta(minutes=4))
        assert len(queries_of(client, url)) == 1
        clock.move_to(start + timedelta(minutes=6))
        assert '<span class="label">下一篇 →</span>定时的笔记</a>' in get(client, url)
