"""SEO and sharing: sitemap.xml, robots.txt, canonical, meta tags and related notes."""

import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
from django.utils import timezone

from articles.models import Category
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_locations(client):
    """Every URL of every file the sitemap index (/sitemap.xml) lists."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    locations = {}
    for sitemap in ET.fromstring(index.content).findall("sm:sitemap", SITEMAP_NS):
        response = client.get(sitemap.find("sm:loc", SITEMAP_NS).text)
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        locations.update(
            (unquote(url.find("sm:loc", SITEMAP_NS).text), url.find("sm:lastmod", SITEMAP_NS))
            for url in root.findall("sm:url", SITEMAP_NS)
        )
    return locations


def test_sitemap_lists_published_notes_categories_and_tags(client, article, hidden_articles):
    locations = sitemap_locations(client)
    paths = {loc.split("testserver", 1)[1] for loc in locations}
    assert unquote(article.get_absolute_url()) in paths
    assert article.category.get_absolute_url() in paths
    assert "/tags/transformer/" in paths
    assert not any("hidden" in path for path in paths)
    note_loc = next(loc for loc in locations if unquote(article.get_absolute_url()) in loc)
    # The last content change (never before publication), not every save.
    assert locations[note_loc].text.startswith(
        timezone.localdate(article.last_revised_at).isoformat()
    )


def test_sitemap_skips_categories_and_tags_with_only_hidden_notes(client, hidden_articles):
    empty = CategoryFactory(slug="empty-category")
    paths = {loc.split("testserver", 1)[1] for loc in sitemap_locations(client)}
    assert empty.get_absolute_url() not in paths
    assert hidden_articles[0].category.get_absolute_url() not in paths
    assert not any(path.startswith("/tags/") for path in paths)


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_article_head_has_description_canonical_and_open_graph(client, article):
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    canonical = response.wsgi_request.build_absolute_uri(article.get_absolute_url())
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:title" content="{article.title}">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta property="article:tag" content="Transformer">' in html
    description = article.summary_text[:50]
    assert f'<meta name="description" content="{description}' in html


def test_canonical_drops_query_strings_on_list_pages(client, article):
    html = client.get("/?utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/">' in html


def test_canonical_keeps_the_page_number_of_later_pages(client, settings):
    settings.PAGE_SIZE = 1
    ArticleFactory.create_batch(3, category=Category.objects.get(slug="rl"))
    second = client.get("/categories/rl/?page=2&utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/categories/rl/?page=2">' in second
    first = client.get("/categories/rl/?page=1").content.decode()
    assert '<link rel="canonical" href="http://testserver/categories/rl/">' in first


def test_anonymous_pages_set_no_cookie(client, article):
    for url in ["/", article.get_absolute_url(), "/categories/", "/robots.txt", "/sitemap.xml"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url


def test_related_notes_are_ranked_by_shared_tags(client, article, hidden_articles):
    two_shared = ArticleFactory(title="两个共同标签", tags=["Transformer", "注意力"])
    one_shared = ArticleFactory(title="一个共同标签", tags=["注意力"])
    ArticleFactory(title="无关笔记", tags=["PPO"])
    response = client.get(article.get_absolute_url())
    related = response.context["related_articles"]
    assert related == [two_shared, one_shared]
    html = response.content.decode()
    assert "两个共同标签" in html and "无关笔记" not in html
