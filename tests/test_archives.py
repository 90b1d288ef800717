"""The archive index (years and months with counts), the links that lead to it, breadcrumbs
and the list pages' sidebar."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feeds.archives import archive_years
from tests.factories import ArticleFactory, CategoryFactory
from tests.factories_series import SeriesFactory, SeriesPartFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def dated_notes(hidden_articles):
    """Published notes in 2025-11 (1), 2026-01 (2) and 2026-02 (1, just after midnight in
    Shanghai, still January in UTC), besides a draft and a scheduled note."""
    return [
        ArticleFactory(published_at=at(2025, 11, 5, 9)),
        ArticleFactory(published_at=at(2026, 1, 3, 9)),
        ArticleFactory(published_at=at(2026, 1, 31, 23)),
        ArticleFactory(published_at=at(2026, 2, 1, 0, 30)),
    ]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def breadcrumbs(html):
    """[(text, href or None, is current)] of the page's breadcrumb trail."""
    nav = re.search(r'<nav class="breadcrumbs" aria-label="面包屑"><ol>(.*?)</ol></nav>', html)
    assert nav, "no breadcrumbs"
    items = []
    for item in re.findall(r"<li( aria-current=\"page\")?>(.*?)</li>", nav.group(1)):
        current, inner = item
        link = re.match(r'<a href="([^"]+)">(.*)</a>$', inner)
        href, text = (link.group(1), link.group(2)) if link else (None, inner)
        items.append((re.sub(r"<[^>]+>", "", text), href, bool(current)))
    return items


def test_counts_per_year_and_month_in_the_site_time_zone(dated_notes):
    years = archive_years()
    assert [(y.year, y.count) for y in years] == [(2026, 3), (2025, 1)]
    assert [(m.month, n) for m, n in years[0].months] == [(2, 1), (1, 2)]
    assert [(m.month, n) for m, n in years[1].months] == [(11, 1)]


def test_archive_index_links_years_and_months_with_counts(client, dated_notes):
    html = page(client, reverse("feeds:archive_index"))
    assert '<a href="/archive/2026/">2026 年</a> <span class="count">3 篇</span>' in html
    assert '<a href="/archive/2026/02/">2 月</a> <span class="count">1 篇</span>' in html
    assert '<a href="/archive/2026/01/">1 月</a> <span class="count">2 篇</span>' in html
    assert '<a href="/archive/2025/11/">11 月</a> <span class="count">1 篇</span>' in html
    for url in re.findall(r'href="(/archive/\d{4}/(?:\d{2}/)?)"', html):
        assert client.get(url).status_code == 200, url
    assert "HIDDEN" not in html


def test_archive_index_of_an_empty_site(client):
    assert "暂无笔记" in page(client, reverse("feeds:archive_index"))


def test_archive_index_is_linked_from_header_and_footer(client, article):
    html = page(client, "/")
    header = html.split("</header>")[0]
    footer = html.split('<footer class="site-footer">')[1]
    assert 'href="/archive/">归档</a>' in header
    assert 'href="/archive/">归档</a>' in footer
    assert 'href="/series/">系列</a>' in header


def test_a_notes_date_links_to_its_month(client):
    note = ArticleFactory(published_at=at(2026, 2, 1, 0, 30))  # 2026-01-31 in UTC
    html = page(client, note.get_absolute_url())
    date_link = re.search(
        r'<a class="note-date" href="([^"]+)"[^>]*><time[^>]*>([^<]+)</time>', html
    )
    assert date_link.groups() == ("/archive/2026/02/", "2026-02-01")
    assert note.get_absolute_url() in page(client, date_link.group(1))


def test_breadcrumbs_on_archive_pages(client, dated_notes):
    assert breadcrumbs(page(client, "/archive/")) == [("首页", "/", False), ("归档", None, True)]
    assert breadcrumbs(page(client, "/archive/2026/")) == [
        ("首页", "/", False),
        ("归档", "/archive/", False),
        ("2026 年", None, True),
    ]
    assert breadcrumbs(page(client, "/archive/2026/01/")) == [
        ("首页", "/", False),
        ("归档", "/archive/", False),
        ("2026 年", "/archive/2026/", False),
        ("1 月", None, True),
    ]


def test_breadcrumbs_on_category_tag_series_and_note_pages(client, article):
    category = article.category
    assert breadcrumbs(page(client, "/categories/")) == [("首页", "/", False), ("分类", None, True)]
    assert breadcrumbs(page(client, category.get_absolute_url())) == [
        ("首页", "/", False),
        ("分类", "/categories/", False),
        (category.name, None, True),
    ]
    assert breadcrumbs(page(client, reverse("feeds:tag_detail", args=["transformer"]))) == [
        ("首页", "/", False),
        ("#Transformer", None, True),
    ]
    assert breadcrumbs(page(client, article.get_absolute_url())) == [
        ("首页", "/", False),
        (category.name, category.get_absolute_url(), False),
        (article.title, None, True),
    ]
    series = SeriesFactory(title="注意力系列")
    SeriesPartFactory(series=series, article=article)
    assert breadcrumbs(page(client, series.get_absolute_url())) == [
        ("首页", "/", False),
        ("系列", "/series/", False),
        ("注意力系列", None, True),
    ]
    assert breadcrumbs(page(client, article.get_absolute_url()))[2] == (
        "注意力系列",
        series.get_absolute_url(),
        False,
    )


def test_sidebar_shows_categories_tags_years_and_feeds_public_only(client, hidden_articles):
    rl = CategoryFactory(name="强化学习", slug="强化学习")
    CategoryFactory(name="空分类", slug="empty")
    ArticleFactory(category=rl, tags=["PPO"], published_at=at(2026, 3, 1, 12))
    ArticleFactory(category=rl, tags=["PPO", "TRPO"], published_at=at(2025, 3, 1, 12))
    for url in ("/", rl.get_absolute_url(), "/tags/ppo/", "/archive/2026/", "/archive/2026/03/"):
        html = page(client, url)
        sidebar = html.split('<aside class="reader-sidebar"')[1].split("</aside>")[0]
        assert (
            f'<a href="{rl.get_absolute_url()}">强化学习</a> <span class="count">2</span>'
            in sidebar
        )
        assert "空分类" not in sidebar
        assert '#PPO <span class="count">2</span>' in sidebar
        assert '#TRPO <span class="count">1</span>' in sidebar
        assert "注意力" not in sidebar  # the hidden notes' tag
        assert '<a href="/archive/2026/">2026 年</a> <span class="count">1</span>' in sidebar
        assert 'href="/archive/">全部归档' in sidebar
        assert 'href="/feeds/atom/"' in sidebar


def test_the_note_page_has_no_sidebar(client, article):
    assert "reader-sidebar" not in page(client, article.get_absolute_url())


def test_sidebar_queries_do_not_grow_with_categories_and_tags(client):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            page(client, url)
        return len(captured)

    ArticleFactory(tags=["a"])
    before = queries("/")
    for n in range(5):
        ArticleFactory(category=CategoryFactory(), tags=[f"tag{n}", "a"])
    assert queries("/") == before == 5  # count and cards, then the sidebar's three
