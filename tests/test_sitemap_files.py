"""The sitemap's files (notes_site.sitemaps.sitemap_file): every published note in exactly one
file, the index listing every file, Django's page protocol, pinned queries, and the XML."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from articles.models import Article
from articles.sitemaps import ArticleSitemap
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_NS = {"sm": NS}


@pytest.fixture
def notes(monkeypatch):
    """Seven published notes, three of them at the same instant (the files split at a tie),
    a draft and a scheduled note; two URLs per file."""
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    start = timezone.now() - timedelta(days=10)
    published = [ArticleFactory(published_at=start + timedelta(days=n)) for n in range(4)]
    published += [ArticleFactory(published_at=start) for _ in range(2)]
    published.append(ArticleFactory(slug="注意力机制", published_at=start + timedelta(days=5)))
    ArticleFactory(draft=True, published_at=None)
    ArticleFactory(scheduled=True)
    return published


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def article_files(client):
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    files = [
        loc.text for loc in ET.fromstring(index.content).iterfind("sm:sitemap/sm:loc", SITEMAP_NS)
    ]
    return [path_of(url) for url in files if "/sitemap-articles.xml" in url]


def file_urls(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS}}}urlset"
    return [
        (urlsplit(url.findtext("sm:loc", namespaces=SITEMAP_NS)).path, url)
        for url in root.iterfind("sm:url", SITEMAP_NS)
    ]


@pytest.mark.parametrize("kept", [False, True])
def test_every_published_note_is_in_exactly_one_file(client, notes, request, kept):
    if kept:
        request.getfixturevalue("page_cache")
    files = article_files(client)
    assert files == ["/sitemap-articles.xml"] + [f"/sitemap-articles.xml?p={n}" for n in (2, 3, 4)]
    for _ in range(2):  # the second time from the kept count and keys
        seen = []
        for path in files:
            urls = file_urls(client, path)
            assert 1 <= len(urls) <= 2
            seen += [location for location, _ in urls]
        assert len(seen) == len(set(seen))
        # percent-encoded as reverse() encodes them (a Chinese slug among them)
        assert sorted(seen) == sorted(note.get_absolute_url() for note in notes)


def test_a_file_shows_each_notes_last_change_and_sends_the_latest(client, notes):
    urls = file_urls(client, "/sitemap-articles.xml")
    newest = Article.objects.published().order_by("-published_at", "-pk")[:2]
    assert [location for location, _ in urls] == [note.get_absolute_url() for note in newest]
    for (_, url), note in zip(urls, newest, strict=True):
        date = timezone.localdate(note.last_revised_at).isoformat()
        assert url.findtext("sm:lastmod", namespaces=SITEMAP_NS) == date
        assert url.findtext("sm:changefreq", namespaces=SITEMAP_NS) == "weekly"
        assert url.findtext("sm:priority", namespaces=SITEMAP_NS) == "0.8"
    latest = max(note.last_revised_at for note in newest)
    response = client.get("/sitemap-articles.xml")
    assert response["Last-Modified"] == http_date(latest.timestamp())
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"


def test_tags_have_no_lastmod_and_their_file_no_last_modified(client, notes):
    ArticleFactory(tags=["Transformer"])
    response = client.get("/sitemap-tags.xml")
    assert b"<lastmod>" not in response.content
    assert "/tags/transformer/" in response.content.decode()
    assert not response.has_header("Last-Modified")


@pytest.mark.parametrize("page", ["5", "0", "-1", "x", "2.5", ""])
def test_a_page_out_of_range_or_not_a_number_is_404(client, notes, page):
    assert client.get(f"/sitemap-articles.xml?p={page}").status_code == 404


def test_an_unknown_section_is_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_an_empty_section_is_a_file_without_urls(client):
    response = client.get("/sitemap-series.xml")
    assert response.status_code == 200
    assert ET.fromstring(response.content).findall("sm:url", SITEMAP_NS) == []
    assert client.get("/sitemap-series.xml?p=2").status_code == 404


@pytest.mark.parametrize("count", [3, 25])
def test_queries_per_file_do_not_grow_with_the_notes(client, monkeypatch, count):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    ArticleFactory.create_batch(count)
    # count, page; a later file also reads where it starts (an index-only scan)
    for path, queries in [("/sitemap-articles.xml", 2), ("/sitemap-articles.xml?p=2", 3)]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        assert len(captured) == queries, [q["sql"] for q in captured]


def test_a_kept_file_reads_only_its_rows(client, monkeypatch, page_cache, settings):
    settings.PAGE_CACHE_ENABLED = False  # every request renders, the counts and keys are kept
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    ArticleFactory.create_batch(5)
    for path in ("/sitemap-articles.xml", "/sitemap-articles.xml?p=3"):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        assert len(captured) == 1, path
    for path in ("/sitemap-categories.xml", "/sitemap-series.xml"):  # kept whole
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        assert len(captured) == 0, path
