"""Series: ordering, the public boundary (drafts hidden, counted out), the note page's block,
the series pages and feeds, the sitemap, the search filter, cache invalidation and query
counts. The admin: tests/test_series_admin.py."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from series.models import Series, SeriesPart
from tests.factories import ArticleFactory, CategoryFactory
from tests.factories_series import SeriesFactory, SeriesPartFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def rl_series(committing):
    """Five parts whose reading order is not their publication order; the third is a draft
    and the fifth is scheduled, so readers see three parts."""
    series = SeriesFactory(title="强化学习基础", slug="强化学习基础")
    now = timezone.now()
    specs = [
        # (title, position, published how many days ago: None for a draft, < 0 scheduled)
        ("MDP 与贝尔曼方程", 10, 3),
        ("价值迭代", 20, 5),  # published before part 1, still second
        ("SECRET-DRAFT 蒙特卡洛", 30, None),
        ("策略梯度 REINFORCE", 40, 1),
        ("SECRET-SCHEDULED PPO", 50, -2),
    ]
    parts = []
    with committing():
        for title, position, days in specs:
            if days is None:
                article = ArticleFactory(title=title, draft=True, published_at=None)
            else:
                article = ArticleFactory(title=title, published_at=now - days * DAY)
            SeriesPartFactory(series=series, article=article, position=position)
            parts.append(article)
    return series, parts


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_slug_is_made_from_a_chinese_title_and_kept_unique():
    first = Series.objects.create(title="强化学习 基础")
    second = Series.objects.create(title="强化学习 基础")
    math = Series.objects.create(title=r"复杂度 $\mathcal{O}(n^2)$")
    assert first.slug == "强化学习-基础"
    assert second.slug == "强化学习-基础-2"
    assert math.slug == "复杂度-on2"
    assert (
        first.get_absolute_url()
        == "/series/%E5%BC%BA%E5%8C%96%E5%AD%A6%E4%B9%A0-%E5%9F%BA%E7%A1%80/"
    )


def test_note_page_shows_series_position_parts_and_neighbours(client, rl_series):
    series, (mdp, value, draft, reinforce, scheduled) = rl_series
    html = page(client, value.get_absolute_url())
    assert "第 2 篇，共 3 篇" in html
    assert f'href="{series.get_absolute_url()}">系列：强化学习基础</a>' in html
    listed = re.findall(
        r'<li><a href="([^"]+)"( aria-current="page")?>', html.split("series-parts")[1]
    )
    assert [url for url, _ in listed[:3]] == [
        mdp.get_absolute_url(),
        value.get_absolute_url(),
        reinforce.get_absolute_url(),
    ]
    assert [bool(current) for _, current in listed[:3]] == [False, True, False]
    pager = html.split('class="prev-next series-pager"')[1].split("</nav>")[0]
    assert f'class="series-previous" href="{mdp.get_absolute_url()}"' in pager
    assert f'class="series-next" href="{reinforce.get_absolute_url()}"' in pager
    assert "SECRET" not in html


def test_first_and_last_parts_have_one_neighbour(client, rl_series):
    _, (mdp, _, _, reinforce, _) = rl_series
    first = page(client, mdp.get_absolute_url())
    assert "第 1 篇，共 3 篇" in first
    assert "series-previous" not in first and "series-next" in first
    last = page(client, reinforce.get_absolute_url())
    assert "第 3 篇，共 3 篇" in last
    assert "series-previous" in last and "series-next" not in last


def test_a_note_in_no_series_has_no_series_block(client, article):
    html = page(client, article.get_absolute_url())
    assert "series-nav" not in html and "series-pager" not in html


def test_equal_positions_fall_back_to_publication_order(client):
    series = SeriesFactory()
    older = ArticleFactory(published_at=timezone.now() - 2 * DAY)
    newer = ArticleFactory(published_at=timezone.now() - DAY)
    SeriesPartFactory(series=series, article=newer, position=1)
    SeriesPartFactory(series=series, article=older, position=1)
    html = page(client, newer.get_absolute_url())
    assert "第 2 篇，共 2 篇" in html


def test_a_draft_previewed_by_staff_shows_the_series_without_a_position(staff_client, rl_series):
    series, parts = rl_series
    html = page(staff_client, parts[2].get_absolute_url())
    assert "系列：强化学习基础" in html
    assert "第 " not in html.split("series-nav")[1].split("</p>")[0].replace("SERIES", "")


def test_series_page_lists_published_parts_in_reading_order(client, rl_series):
    series, (mdp, value, _, reinforce, _) = rl_series
    html = page(client, series.get_absolute_url())
    assert "<h1>强化学习基础</h1>" in html
    assert "从马尔可夫决策过程到策略梯度。" in html  # the description
    assert "共 3 篇" in html
    positions = [html.index(f'href="{a.get_absolute_url()}"') for a in (mdp, value, reinforce)]
    assert positions == sorted(positions)
    assert re.findall(r'<p class="series-part-number">(.*?)</p>', html) == [
        "第 1 篇",
        "第 2 篇",
        "第 3 篇",
    ]
    assert "SECRET" not in html
    assert f'href="{reverse("feeds:series_atom", kwargs={"slug": series.slug})}"' in html
    assert '<li aria-current="page">强化学习基础</li>' in html  # breadcrumbs


def test_series_page_shows_its_description(client):
    series = SeriesFactory(description="第一行\n\n第二段")
    SeriesPartFactory(series=series, article=ArticleFactory())
    html = page(client, series.get_absolute_url())
    assert "<p>第一行</p>" in html and "<p>第二段</p>" in html


def test_unknown_series_is_404(client):
    assert client.get("/series/nope/").status_code == 404
    assert client.get("/feeds/series/nope/rss/").status_code == 404


def test_series_index_counts_published_parts_and_skips_empty_series(client, rl_series):
    series, _ = rl_series
    hidden = SeriesFactory(title="只有草稿的系列")
    SeriesPartFactory(series=hidden, article=ArticleFactory(draft=True, published_at=None))
    SeriesFactory(title="空系列")
    html = page(client, reverse("series:index"))
    assert f'<a href="{series.get_absolute_url()}">强化学习基础</a>' in html
    assert "共 3 篇" in html
    assert "只有草稿的系列" not in html and "空系列" not in html


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_series_feeds_carry_published_parts_only(client, rl_series, fmt):
    series, (mdp, value, _, reinforce, _) = rl_series
    response = client.get(reverse(f"feeds:series_{fmt}", kwargs={"slug": series.slug}))
    assert response.status_code == 200
    parsed = feedparser.parse(
        response.content,
        response_headers={"content-type": response["Content-Type"]},
        resolve_relative_uris=False,
    )
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert "强化学习基础" in parsed.feed.title
    titles = {entry.title for entry in parsed.entries}
    assert titles == {mdp.title, value.title, reinforce.title}
    assert parsed.feed.link.endswith(series.get_absolute_url())


def test_series_json_feed_carries_published_parts_only(client, rl_series):
    # feedparser reads no JSON Feed: the document is checked as tests/test_feeds.py does.
    series, (mdp, value, _, reinforce, _) = rl_series
    response = client.get(reverse("feeds:series_json", kwargs={"slug": series.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/feed+json")
    document = json.loads(response.content.decode("utf-8"))
    assert document["version"].startswith("https://jsonfeed.org/version/1")
    assert "强化学习基础" in document["title"]
    assert {item["title"] for item in document["items"]} == {
        mdp.title,
        value.title,
        reinforce.title,
    }
    assert document["home_page_url"].endswith(series.get_absolute_url())


def test_series_feed_answers_conditional_gets_and_changes_with_the_series(client, rl_series):
    series, parts = rl_series
    url = reverse("feeds:series_rss", kwargs={"slug": series.slug})
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    SeriesPart.objects.filter(article=parts[0]).delete()  # a public part leaves the series
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_sitemap_lists_series_with_public_parts(client, rl_series):
    series, _ = rl_series
    SeriesFactory(title="空系列", slug="empty-series")
    index = page(client, "/sitemap.xml")
    assert "sitemap-series.xml" in index
    section = page(client, "/sitemap-series.xml")
    assert series.get_absolute_url() in section
    assert "empty-series" not in section
    # The newest public part's date (REINFORCE, a day ago), not the scheduled part's.
    newest = timezone.localtime(rl_series[1][3].last_revised_at)
    assert f"<lastmod>{newest:%Y-%m-%d}</lastmod>" in section


def test_search_filters_by_series(client, committing):
    series = SeriesFactory(title="扩散模型系列", slug="diffusion")
    with committing():
        inside = ArticleFactory(title="扩散模型 去噪", body="扩散模型的去噪过程。")
        outside = ArticleFactory(title="扩散模型 采样", body="扩散模型的采样。")
        SeriesPartFactory(series=series, article=inside)
    everything = page(client, "/search/?q=扩散模型")
    assert inside.get_absolute_url() in everything and outside.get_absolute_url() in everything
    assert '<option value="diffusion">扩散模型系列</option>' in everything
    within = page(client, "/search/?q=扩散模型&series=diffusion")
    assert inside.get_absolute_url() in within and outside.get_absolute_url() not in within
    assert '<option value="diffusion" selected>' in within
    assert "系列 <a" in within
    unknown = page(client, "/search/?q=扩散模型&series=nope")
    assert inside.get_absolute_url() not in unknown
    malformed = client.get("/search/?q=扩散模型&series=a b/c")
    assert malformed.status_code == 200


def test_search_marks_words_in_titles_with_math_and_keeps_formulas_typeset(client, committing):
    with committing():
        ArticleFactory(
            title=r"线性注意力：把 $\mathcal{O}(n^2)$ 降到 $\mathcal{O}(n)$",
            body="线性注意力的推导。",
        )
    html = page(client, "/search/?q=注意力")
    title = html.split('class="card-title">')[1].split("</h2>")[0]
    assert "线性<mark>注意力</mark>" in title
    assert title.count('class="katex"') == 2
    assert "$" not in title  # no formula left as its source
    for formula in re.findall(r'<span class="katex">.*?</annotation>', title):
        assert "<mark>" not in formula


def test_cached_pages_go_stale_when_the_series_changes(client, rl_series, page_cache, committing):
    series, parts = rl_series
    note, series_url = parts[0].get_absolute_url(), series.get_absolute_url()
    for url in (note, series_url):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    with committing():
        series.title = "强化学习入门"
        series.save()
    for url in (note, series_url):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "强化学习入门" in response.content.decode()
    client.get(note)
    assert client.get(note)["X-Page-Cache"] == "hit"
    with committing():
        SeriesPart.objects.filter(article=parts[1]).delete()
    response = client.get(note)
    assert response["X-Page-Cache"] == "miss"
    assert "第 1 篇，共 2 篇" in response.content.decode()


def test_note_page_costs_one_more_query_in_a_series(client, rl_series):
    _, parts = rl_series
    alone = ArticleFactory(category=parts[0].category)
    with CaptureQueriesContext(connection) as plain:
        client.get(alone.get_absolute_url())
    with CaptureQueriesContext(connection) as in_series:
        client.get(parts[1].get_absolute_url())
    assert len(in_series) - len(plain) <= 1
    assert len(plain) <= 6  # the note page's own queries (tests/test_lean_queries.py) + 1


def test_series_lists_are_not_n_plus_one(client):
    def count_queries(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    first = SeriesFactory(slug="first")
    SeriesPartFactory(series=first, article=ArticleFactory())
    small = (count_queries("/series/"), count_queries("/series/first/"))
    for _ in range(6):
        series = SeriesFactory()
        for _part in range(2):
            SeriesPartFactory(series=series, article=ArticleFactory())
        SeriesPartFactory(series=first, article=ArticleFactory())
    assert (count_queries("/series/"), count_queries("/series/first/")) == small
    assert small[0] <= 1 and small[1] <= 3


def test_series_pages_are_public_without_login():
    client = Client()
    assert client.get("/series/").status_code == 200
    CategoryFactory()  # nothing else needed: an empty site still answers
    assert client.get("/series/").status_code == 200
