"""Lean uncached pages: pinned query counts whatever the number of notes, narrow rows, capped
deep pages, a paginated sitemap index, previous/next and related notes."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.selectors import neighbour, related_articles
from articles.sitemaps import ArticleSitemap
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
WIDE_COLUMNS = ("body_html", "body_feed_html", '"body"', "toc_html", "summary_feed_html")
FEED_WIDE_COLUMNS = WIDE_COLUMNS[:-1]  # a feed item's description is its summary_feed_html

# Queries per page, the same at 3 notes and at 25 (no query per note). SIDEBAR: the list
# pages' sidebar (feeds/sidebar.py): categories, popular tags, years.
SIDEBAR = 3
PINNED = {
    "/": 2 + SIDEBAR,  # count, cards (category joined)
    "/?page=2": 2 + SIDEBAR,
    "/categories/rl/": 3 + SIDEBAR,  # category, count, cards
    "/tags/transformer/": 3 + SIDEBAR,  # tag, count, cards
    # Django's date views: any note in range?, the year's months (kept for the generation when
    # the fragment cache is on), then count and cards; no query for the days of a month or
    # for the neighbouring periods (the pages show none of them).
    "/archive/{year}/": 4 + SIDEBAR,
    "/archive/{year}/{month:02d}/": 3 + SIDEBAR,
    "/archive/": 1,  # the months with counts (feeds/archives.py)
    "/series/": 1,
    "/categories/": 1,
    "/articles/{slug}/": 6,  # note, its tags, previous, next, related, its series' parts
    "/feeds/rss/": 3,  # state, items (author, category joined), their tags
    "/feeds/categories/rl/atom/": 4,  # state, category, items, tags
    "/feeds/tags/transformer/json/": 4,
    "/sitemap.xml": 4,  # a count per section (no section lastmods: see ArticleSitemap)
    "/sitemap-articles.xml": 2,  # count, page
}


def make_notes(count):
    category = CategoryFactory(slug="rl", name="RL")
    start = timezone.now() - timedelta(days=count + 1)
    return [
        ArticleFactory(
            category=category,
            published_at=start + timedelta(hours=n),
            tags=["Transformer", f"t{n % 3}"],
        )
        for n in range(count)
    ]


def urls_for(note):
    when = timezone.localtime(note.published_at)
    return {
        template: template.format(year=when.year, month=when.month, slug=note.slug)
        for template in PINNED
    }


@pytest.mark.parametrize("count", [3, 25])
def test_query_counts_do_not_grow_with_the_notes(client, settings, count):
    settings.PAGE_SIZE = 2
    notes = make_notes(count)
    for template, url in urls_for(notes[1]).items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(queries) == PINNED[template], (url, [q["sql"] for q in queries])


def article_selects(queries):
    return [q["sql"] for q in queries if re.search(r'FROM "articles_article"', q["sql"])]


@pytest.mark.parametrize(
    "url", ["/", "/categories/rl/", "/tags/transformer/", "/feeds/rss/", "/sitemap-articles.xml"]
)
def test_lists_never_read_the_wide_columns(client, url):
    make_notes(3)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    selects = article_selects(queries)
    assert selects
    wide = FEED_WIDE_COLUMNS if url.startswith("/feeds/") else WIDE_COLUMNS
    for sql in selects:
        assert not [column for column in wide if column in sql], sql


def test_the_full_feed_reads_the_feed_body_and_nothing_else_wide(client):
    make_notes(2)
    with CaptureQueriesContext(connection) as queries:
        client.get("/feeds/rss/?full=1")
    sql = " ".join(article_selects(queries))
    assert "body_feed_html" in sql
    assert '"articles_article"."body_html"' not in sql


def test_the_note_page_reads_its_body_but_not_the_feed_renders(client, article):
    with CaptureQueriesContext(connection) as queries:
        client.get(article.get_absolute_url())
    note_query = article_selects(queries)[0]
    assert "body_html" in note_query
    assert "body_feed_html" not in note_query and '"articles_article"."body",' not in note_query


def test_deep_pages_are_capped(client, settings):
    settings.PAGE_SIZE = 1
    settings.STREAM_MAX_PAGES = 2
    make_notes(5)
    last = client.get("/?page=2")
    assert last.status_code == 200
    assert "第 2 / 2 页" in last.content.decode()
    assert 'rel="next"' not in last.content.decode()
    for url in ("/?page=3", "/categories/rl/?page=3", "/tags/transformer/?page=3"):
        assert client.get(url).status_code == 404


def test_the_sitemap_is_an_index_of_files_of_at_most_limit_urls(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    notes = make_notes(5)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    files = [loc.text for loc in index.iterfind("sm:sitemap/sm:loc", SITEMAP_NS)]
    article_files = [url for url in files if "sitemap-articles.xml" in url]
    assert len(article_files) == 3
    seen = []
    for url in article_files:
        parts = urlsplit(url)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        locations = ET.fromstring(response.content).findall("sm:url/sm:loc", SITEMAP_NS)
        assert 1 <= len(locations) <= 2
        seen += [unquote(urlsplit(loc.text).path) for loc in locations]
    assert sorted(seen) == sorted(unquote(note.get_absolute_url()) for note in notes)


def test_the_sitemap_keeps_each_sections_count_for_the_generation(
    client, monkeypatch, page_cache, settings, committing
):
    settings.PAGE_CACHE_ENABLED = False  # every request renders, the counts are kept
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    make_notes(4)

    def article_files():
        with CaptureQueriesContext(connection) as queries:
            index = ET.fromstring(client.get("/sitemap.xml").content)
        locations = [loc.text for loc in index.iterfind("sm:sitemap/sm:loc", SITEMAP_NS)]
        return len([url for url in locations if "sitemap-articles.xml" in url]), len(queries)

    assert article_files()[0] == 2
    assert article_files() == (2, 0)  # no section is counted again
    with committing():
        ArticleFactory()
    assert article_files()[0] == 3
    assert client.get("/sitemap-articles.xml?p=3").status_code == 200


def test_previous_and_next_follow_the_stream_order_even_for_ties():
    when = timezone.now() - timedelta(days=1)
    first, second, third = (ArticleFactory(published_at=when) for _ in range(3))
    assert neighbour(second, newer=True) == third
    assert neighbour(second, newer=False) == first
    assert neighbour(third, newer=True) is None
    draft = ArticleFactory(draft=True, published_at=None)
    assert neighbour(draft, newer=True) is None


def test_related_notes_come_from_one_narrow_query(django_assert_num_queries):
    note = ArticleFactory(tags=["a", "b", "c"])
    two = ArticleFactory(tags=["a", "b"])
    one = ArticleFactory(tags=["c"], published_at=timezone.now() - timedelta(hours=1))
    ArticleFactory(tags=["a", "b", "c"], draft=True)
    note = type(note).objects.prefetch_related("tags").get(pk=note.pk)
    with CaptureQueriesContext(connection) as queries:
        related = related_articles(note)
    assert len(queries) == 1
    assert related == [two, one]
    assert not [column for column in WIDE_COLUMNS if column in queries[0]["sql"]]
