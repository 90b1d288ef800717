"""The feeds: every feed parses clean in a real client and says what the database says.

Conditional GET (ETag, Last-Modified, 304) is in test_feeds_conditional.py.
"""

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.services import save_article
from feeds.html import absolutize_urls
from tests.factories import ArticleFactory, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMATS = ["rss", "atom", "json"]
XML_FORMATS = ["rss", "atom"]
MEDIA_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
ATOM = "{http://www.w3.org/2005/Atom}"


def feed_urls(article, tag_slug="注意力"):
    """Every feed (each format, each scope) in which the given published note is listed."""
    urls = []
    for fmt in FORMATS:
        urls += [
            reverse(f"feeds:{fmt}"),
            reverse(f"feeds:category_{fmt}", kwargs={"slug": article.category.slug}),
            reverse(f"feeds:tag_{fmt}", kwargs={"slug": tag_slug}),
        ]
    return urls


def fetch(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response


def parse(response):
    """Parse a feed response with feedparser, as a feed reader would; it must not be bozo."""
    parsed = feedparser.parse(
        response.content,
        response_headers={"content-type": response["Content-Type"]},
        resolve_relative_uris=False,  # judge our URLs, not feedparser's repairs
    )
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def text_of(html):
    """What a reader shows for an HTML fragment: its text, entities decoded, spaces collapsed."""
    return " ".join(BeautifulSoup(html, "html.parser").get_text().split())


def rss_items(response):
    return ET.fromstring(response.content).find("channel").findall("item")


def json_feed(response):
    return json.loads(response.content.decode("utf-8"))


# --- Formats, media types, well-formedness -------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_media_types(client, article, fmt):
    for url in feed_urls(article):
        if f"/{fmt}/" in url:
            assert fetch(client, url)["Content-Type"] == MEDIA_TYPES[fmt], url


@pytest.mark.parametrize("full", [False, True])
def test_every_xml_feed_is_well_formed_and_parses_clean(client, article, full):
    for url in feed_urls(article):
        if "/json/" in url:
            continue
        response = fetch(client, url, data={"full": "1"} if full else {})
        ET.fromstring(response.content)  # raises on malformed XML
        parsed = parse(response)
        assert parsed.version == ("rss20" if "/rss/" in url else "atom10"), url
        assert [entry.link for entry in parsed.entries] == [
            f"http://testserver{article.get_absolute_url()}"
        ], url


def test_rss_feed_fields_match_the_database(client, article):
    response = fetch(client, reverse("feeds:rss"))
    parsed = parse(response)
    channel = parsed.feed
    assert channel.title == "notes_site"
    assert channel.link == "http://testserver/"
    assert channel.subtitle == "强化学习、生成模型、大语言模型与机器学习系统的技术笔记"
    assert channel.language == "zh-hans"
    assert channel.generator == "notes_site"
    self_links = [link.href for link in channel.links if link.rel == "self"]
    assert self_links == ["http://testserver/feeds/rss/"]

    (entry,) = parsed.entries
    assert entry.title == article.title
    assert entry.link == f"http://testserver{article.get_absolute_url()}"
    assert "%E6%B3%A8%E6%84%8F%E5%8A%9B" in entry.link  # the Chinese slug, percent-encoded
    assert entry.id == f"tag:testserver,{article.created_at:%Y-%m-%d}:/notes/{article.pk}"
    assert entry.guidislink is False
    assert entry.author == "notes_site"  # no full name: the site, never the login name
    assert article.author.get_username().encode() not in response.content
    assert [tag.term for tag in entry.tags] == [article.category.name, "Transformer", "注意力"]
    # The description is the stored feed summary, XML-escaped once and nothing more.
    (item,) = rss_items(response)
    assert item.findtext("description") == article.summary_feed_html
    assert item.find("{http://purl.org/rss/1.0/modules/content/}encoded") is None


def test_atom_feed_fields_match_the_database(client, article):
    article.author.first_name, article.author.last_name = "Ada", "Lovelace"
    article.author.save()
    response = fetch(client, reverse("feeds:atom"))
    parsed = parse(response)
    feed = parsed.feed
    assert feed.title == "notes_site"
    assert feed.subtitle == "强化学习、生成模型、大语言模型与机器学习系统的技术笔记"
    assert feed.language == "zh-hans"
    assert feed.generator == "notes_site"
    assert {(link.rel, link.href) for link in feed.links} == {
        ("alternate", "http://testserver/"),
        ("self", "http://testserver/feeds/atom/"),
    }
    (entry,) = parsed.entries
    assert entry.title == article.title
    assert entry.id == f"tag:testserver,{article.created_at:%Y-%m-%d}:/notes/{article.pk}"
    assert entry.author == "Ada Lovelace"  # Atom entries need an author...
    assert entry.updated_parsed  # ...and an updated date
    assert [tag.term for tag in entry.tags] == [article.category.name, "Transformer", "注意力"]
    root = ET.fromstring(response.content)
    (element,) = root.findall(f"{ATOM}entry")
    assert element.findtext(f"{ATOM}summary") == article.summary_feed_html
    assert element.find(f"{ATOM}summary").get("type") == "html"
    assert element.find(f"{ATOM}content") is None


def test_json_feed_has_the_json_feed_1_1_shape(client, article):
    document = json_feed(fetch(client, reverse("feeds:json")))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "notes_site"
    assert document["home_page_url"] == "http://testserver/"
    assert document["feed_url"] == "http://testserver/feeds/json/"
    assert document["language"] == "zh-hans"
    (item,) = document["items"]
    assert set(item) == {
        "id",
        "url",
        "title",
        "content_html",
        "summary",
        "date_published",
        "date_modified",
        "authors",
        "tags",
    }
    assert all(isinstance(item[key], str) for key in ("id", "url", "title", "content_html"))
    assert item["id"] == f"tag:testserver,{article.created_at:%Y-%m-%d}:/notes/{article.pk}"
    assert item["url"] == f"http://testserver{article.get_absolute_url()}"
    assert item["title"] == article.title
    assert item["content_html"] == article.summary_feed_html
    assert item["summary"] == article.summary_text
    assert datetime.fromisoformat(item["date_published"]) == article.published_at
    assert item["authors"] == [{"name": "notes_site"}]
    assert item["tags"] == [article.category.name, "Transformer", "注意力"]


# --- Dates ---------------------------------------------------------------------------------


def test_dates_are_rfc_822_in_rss_and_rfc_3339_in_atom_and_json(client, article):
    article.published_at = datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
    article.save()
    article.refresh_from_db()

    (item,) = rss_items(fetch(client, reverse("feeds:rss")))
    pub_date = item.findtext("pubDate")
    assert pub_date == "Sun, 01 Mar 2026 09:30:15 +0000"
    assert parsedate_to_datetime(pub_date) == article.published_at

    root = ET.fromstring(fetch(client, reverse("feeds:atom")).content)
    entry = root.find(f"{ATOM}entry")
    assert datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == article.published_at
    updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == article.last_revised_at  # no content change since publication
    # The feed is as new as its newest change.
    assert datetime.fromisoformat(root.findtext(f"{ATOM}updated")) == updated

    (item,) = json_feed(fetch(client, reverse("feeds:json")))["items"]
    assert datetime.fromisoformat(item["date_modified"]) == article.last_revised_at


def test_a_scheduled_note_is_updated_no_earlier_than_published(client):
    """Written (saved) long before, it came out today: Atom's updated must not precede published."""
    note = ArticleFactory()
    Article.objects.filter(pk=note.pk).update(updated_at=timezone.now() - timedelta(days=30))
    entry = parse(fetch(client, reverse("feeds:atom"))).entries[0]
    assert entry.updated_parsed == entry.published_parsed


def test_feed_updated_is_the_newest_change_among_its_items(client):
    older = ArticleFactory(published_at=timezone.now() - timedelta(days=3))
    ArticleFactory(published_at=timezone.now() - timedelta(days=2))
    Article.objects.update(updated_at=timezone.now() - timedelta(days=5))
    older.title = "刚刚修订"
    save_article(older)
    root = ET.fromstring(fetch(client, reverse("feeds:atom")).content)
    older.refresh_from_db()
    assert datetime.fromisoformat(root.findtext(f"{ATOM}updated")) == older.revised_at


# --- What is listed ------------------------------------------------------------------------


def test_drafts_and_scheduled_notes_are_in_no_feed(client, article, hidden_articles):
    for url in feed_urls(article):
        for params in ({}, {"full": "1"}):
            response = fetch(client, url, data=params)
            assert "HIDDEN-" not in response.content.decode(), url


def test_a_scheduled_note_appears_when_its_time_comes_with_no_save(client, monkeypatch):
    note = ArticleFactory(
        title="定时发布的笔记", published_at=timezone.now() + timedelta(hours=1), tags=["注意力"]
    )
    urls = [reverse("feeds:rss"), reverse("feeds:tag_atom", kwargs={"slug": "注意力"})]
    for url in urls:
        assert note.title not in fetch(client, url).content.decode()
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for url in urls:
        assert parse(fetch(client, url)).entries[0].title == note.title


def test_feeds_carry_feed_items_newest_first(client, settings):
    settings.FEED_ITEMS = 3
    notes = [ArticleFactory(published_at=timezone.now() - timedelta(days=n)) for n in range(5)]
    parsed = parse(fetch(client, reverse("feeds:atom")))
    assert [entry.title for entry in parsed.entries] == [note.title for note in notes[:3]]
    assert len(json_feed(fetch(client, reverse("feeds:json")))["items"]) == 3


def test_category_and_tag_feeds_list_only_their_notes(client):
    rl, llm = CategoryFactory(name="RL", slug="rl"), CategoryFactory(name="LLM", slug="llm")
    in_rl = ArticleFactory(category=rl, tags=["策略梯度"])
    in_llm = ArticleFactory(category=llm, tags=["注意力"])
    category = parse(fetch(client, reverse("feeds:category_rss", kwargs={"slug": "llm"})))
    assert [entry.title for entry in category.entries] == [in_llm.title]
    assert category.feed.title == "LLM · notes_site"
    assert category.feed.link == "http://testserver/categories/llm/"
    tag = parse(fetch(client, reverse("feeds:tag_atom", kwargs={"slug": "策略梯度"})))
    assert [entry.title for entry in tag.entries] == [in_rl.title]
    assert tag.feed.title == "#策略梯度 · notes_site"
    assert tag.feed.link == "http://testserver/tags/%E7%AD%96%E7%95%A5%E6%A2%AF%E5%BA%A6/"


def test_chinese_category_slug_feed(client):
    category = CategoryFactory(name="强化学习", slug="强化学习")
    note = ArticleFactory(category=category)
    url = "/feeds/categories/%E5%BC%BA%E5%8C%96%E5%AD%A6%E4%B9%A0/atom/"
    assert url == reverse("feeds:category_atom", kwargs={"slug": "强化学习"}).replace(
        "强化学习", "%E5%BC%BA%E5%8C%96%E5%AD%A6%E4%B9%A0"
    )
    parsed = parse(fetch(client, url))
    assert [entry.title for entry in parsed.entries] == [note.title]
    self_link = next(link.href for link in parsed.feed.links if link.rel == "self")
    assert self_link == f"http://testserver{url}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_category_or_tag_is_404(client, article, fmt):
    for name in (f"feeds:category_{fmt}", f"feeds:tag_{fmt}"):
        for slug in ("no-such-thing", "不存在"):
            assert client.get(reverse(name, kwargs={"slug": slug})).status_code == 404


def test_home_stream_and_main_feed_are_the_same_notes_and_summaries(client):
    ArticleFactory.create_batch(12)
    home = client.get("/")
    listed = list(home.context["object_list"])  # the notes of the page's cards
    page = home.content.decode()
    items = rss_items(fetch(client, reverse("feeds:rss")))
    json_items = json_feed(fetch(client, reverse("feeds:json")))["items"]
    assert len(listed) == 10
    assert len(items) == 12
    for article, item, json_item in zip(listed, items, json_items, strict=False):
        assert item.findtext("link") == f"http://testserver{article.get_absolute_url()}"
        assert item.findtext("description") == article.summary_feed_html
        assert json_item["content_html"] == article.summary_feed_html
        assert article.summary_html in page


# --- Item ids ------------------------------------------------------------------------------


def test_guid_survives_slug_and_title_changes(client, article):
    before = {fmt: parse(fetch(client, reverse(f"feeds:{fmt}"))).entries[0] for fmt in XML_FORMATS}
    before_json = json_feed(fetch(client, reverse("feeds:json")))["items"][0]
    article.slug = "attention-renamed"
    article.title = "注意力机制（修订版）"
    article.save()
    for fmt in XML_FORMATS:
        after = parse(fetch(client, reverse(f"feeds:{fmt}"))).entries[0]
        assert after.id == before[fmt].id
        assert after.link == "http://testserver/articles/attention-renamed/"
        assert after.title == "注意力机制（修订版）"
    assert json_feed(fetch(client, reverse("feeds:json")))["items"][0]["id"] == before_json["id"]


def test_guid_authority_can_be_pinned_by_a_setting(client, article, settings):
    settings.FEED_TAG_AUTHORITY = "notes.example.org"
    entry = parse(fetch(client, reverse("feeds:atom"))).entries[0]
    assert entry.id == f"tag:notes.example.org,{article.created_at:%Y-%m-%d}:/notes/{article.pk}"


def test_guids_are_distinct(client):
    ArticleFactory.create_batch(4)
    ids = [entry.id for entry in parse(fetch(client, reverse("feeds:rss"))).entries]
    assert len(set(ids)) == 4


# --- Escaping ------------------------------------------------------------------------------

TRICKY_TITLE = "R&D：<Attention> 与 \\(a<b\\) 🚀"
TRICKY_TITLE_TEXT = "R&D：<Attention> 与 a<b 🚀"  # item titles are text: formulas readable
TRICKY_SUMMARY = "摘要：当 \\(a<b\\) 时，R&D 团队的结论 😀"


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_chinese_emoji_ampersand_angle_and_latex_read_as_written(client, fmt):
    ArticleFactory(title=TRICKY_TITLE, summary=TRICKY_SUMMARY)
    response = fetch(client, reverse(f"feeds:{fmt}"))
    (entry,) = parse(response).entries
    assert entry.title == TRICKY_TITLE_TEXT
    shown = text_of(entry.summary)
    for fragment in ("摘要：当", "a<b", "R&D 团队的结论 😀"):
        assert fragment in shown
    assert "&amp;" not in shown and "&lt;" not in shown  # escaped once per layer, not twice


def test_json_feed_text_reads_as_written(client):
    ArticleFactory(title=TRICKY_TITLE, summary=TRICKY_SUMMARY)
    raw = fetch(client, reverse("feeds:json")).content.decode("utf-8")
    assert "😀" in raw and "\\u" not in raw  # real UTF-8 characters, not \\u escapes
    (item,) = json.loads(raw)["items"]
    assert item["title"] == TRICKY_TITLE_TEXT
    assert item["summary"] == " ".join(TRICKY_SUMMARY.split())
    shown = text_of(item["content_html"])
    assert "a<b" in shown and "R&D" in shown and "&amp;" not in shown


# --- Full content --------------------------------------------------------------------------

FULL_BODY = """## 概述

正文见 [上一节](#背景) 与 [另一篇](/articles/other-note/)、[相对链接](../x/)，
论文 [Attention](https://arxiv.org/abs/1706.03762)。

![注意力示意图](/media/markdownx/attention.png)
"""


@pytest.fixture
def illustrated(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "notes.example.org"]
    return ArticleFactory(slug="illustrated", body=FULL_BODY, tags=["注意力"])


def test_full_variant_carries_the_body_with_absolute_urls(client, illustrated):
    for url in feed_urls(illustrated):
        response = fetch(
            client, url, data={"full": "1"}, HTTP_HOST="notes.example.org", secure=True
        )
        if "/json/" in url:
            (item,) = json_feed(response)["items"]
            content, summary = item["content_html"], item["summary"]
            assert summary == illustrated.summary_text
        else:
            (entry,) = parse(response).entries
            content = next(c.value for c in entry.content if c.type == "text/html")
            assert text_of(entry.summary) == text_of(illustrated.summary_feed_html)
        soup = BeautifulSoup(content, "html.parser")
        base = "https://notes.example.org"
        assert soup.find("img")["src"] == f"{base}/media/markdownx/attention.png", url
        hrefs = [a["href"] for a in soup.find_all("a")]
        assert f"{base}/articles/illustrated/#%E8%83%8C%E6%99%AF" in hrefs or (
            f"{base}/articles/illustrated/#背景" in hrefs
        ), hrefs
        assert f"{base}/articles/other-note/" in hrefs
        assert f"{base}/articles/x/" in hrefs
        assert "https://arxiv.org/abs/1706.03762" in hrefs
        assert text_of(content) == text_of(illustrated.body_feed_html)


def test_full_variant_self_link_and_junk_values(client, illustrated):
    full = parse(fetch(client, reverse("feeds:atom"), data={"full": "1"}))
    assert any(link.href.endswith("/feeds/atom/?full=1") for link in full.feed.links)
    assert "content" in full.entries[0]
    for junk in ("0", "no", "", "%ff", "1' OR 1=1", "🚀"):
        parsed = parse(fetch(client, reverse("feeds:atom"), data={"full": junk}))
        assert "content" not in parsed.entries[0], junk


def test_feed_urls_follow_the_request_host(client, illustrated):
    response = fetch(client, reverse("feeds:rss"), HTTP_HOST="notes.example.org", secure=True)
    parsed = parse(response)
    assert parsed.feed.link == "https://notes.example.org/"
    assert parsed.entries[0].link == "https://notes.example.org/articles/illustrated/"
    assert "testserver" not in response.content.decode()


# --- Query counts --------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        fetch(client, url, data={"full": "1"})
    return len(queries)


def test_query_count_does_not_grow_with_the_number_of_notes(client):
    author, category = UserFactory(), CategoryFactory(slug="rl")
    ArticleFactory.create_batch(5, author=author, category=category, tags=["注意力", "RL"])
    urls = feed_urls(Article.objects.first())
    count_queries(client, urls[0])  # warm Django's per-process caches (content types)
    few = {url: count_queries(client, url) for url in urls}
    ArticleFactory.create_batch(45, category=category, tags=["注意力", "Transformer"])
    many = {url: count_queries(client, url) for url in urls}
    assert few == many
    assert max(many.values()) <= 5


# --- Pages advertise the feeds -------------------------------------------------------------


def alternate_links(page):
    soup = BeautifulSoup(page, "html.parser")
    return {(link["type"], link["href"]) for link in soup.head.find_all("link", rel="alternate")}


SITE_FEEDS = {
    ("application/rss+xml", "/feeds/rss/"),
    ("application/atom+xml", "/feeds/atom/"),
    ("application/feed+json", "/feeds/json/"),
}


def test_every_page_advertises_the_site_feeds(client, article):
    when = timezone.localtime(article.published_at)
    for url in (
        "/",
        article.get_absolute_url(),
        reverse("articles:category_list"),
        reverse("feeds:archive_year", kwargs={"year": when.year}),
        "/no-such-page/",
    ):
        response = client.get(url)
        assert alternate_links(response.content.decode()) >= SITE_FEEDS, url
    footer = BeautifulSoup(client.get("/").content, "html.parser").find("footer")
    assert {a["href"] for a in footer.find_all("a")} >= {"/feeds/rss/", "/feeds/atom/"}


def test_category_and_tag_pages_advertise_their_own_feeds(client, article):
    category_page = client.get(article.category.get_absolute_url()).content.decode()
    slug = article.category.slug
    own = {
        ("application/rss+xml", f"/feeds/categories/{slug}/rss/"),
        ("application/atom+xml", f"/feeds/categories/{slug}/atom/"),
    }
    assert SITE_FEEDS | own <= alternate_links(category_page)
    main = BeautifulSoup(category_page, "html.parser").find("main")
    assert {href for _, href in own} <= {a["href"] for a in main.find_all("a")}

    tag_page = client.get(reverse("feeds:tag_detail", kwargs={"slug": "注意力"}))
    encoded = "%E6%B3%A8%E6%84%8F%E5%8A%9B"
    own = {
        ("application/rss+xml", f"/feeds/tags/{encoded}/rss/"),
        ("application/atom+xml", f"/feeds/tags/{encoded}/atom/"),
    }
    assert SITE_FEEDS | own <= alternate_links(tag_page.content.decode())
    for _, href in own:  # and the advertised feeds work
        assert parse(fetch(client, href)).entries[0].title == article.title


def test_absolutize_urls_rewrites_only_relative_url_attributes():
    math = (
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi><mo>&lt;</mo><mi>b</mi>'
        '<annotation encoding="application/x-tex">a&lt;b</annotation></math>'
    )
    html = (
        f'<p>R&amp;D {math}\n<a href="/a?b=1&amp;c=2" title="&quot;q&quot;">内</a>'
        '<a href="https://arxiv.org/abs/1">外</a><a href="#s" download>锚</a>\n'
        '<img alt="a&lt;b" src="fig.png"><img src="http://[broken" /></p>'
    )
    out = absolutize_urls(html, "https://notes.example.org/articles/n/")
    assert out == (
        f'<p>R&amp;D {math}\n<a href="https://notes.example.org/a?b=1&amp;c=2" '
        'title="&quot;q&quot;">内</a><a href="https://arxiv.org/abs/1">外</a>'
        '<a href="https://notes.example.org/articles/n/#s" download>锚</a>\n'
        '<img alt="a&lt;b" src="https://notes.example.org/articles/n/fig.png">'
        '<img src="http://[broken" /></p>'
    )
    assert absolutize_urls("", "https://x/") == ""


MATHML = (
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mi>a</mi><mo>&lt;</mo>'
    '<mi>b</mi></mrow><annotation encoding="application/x-tex">a&lt;b</annotation></semantics>'
    "</math>"
)


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_stored_mathml_reaches_the_reader_intact(client, fmt):
    """Whatever MathML the renderer stores is carried as is, in the summary and the full body."""
    note = ArticleFactory()
    Article.objects.filter(pk=note.pk).update(
        summary_feed_html=f"当 {MATHML} 时，R&amp;D",
        body_feed_html=f"<p>正文 {MATHML}</p>",
    )
    (entry,) = parse(fetch(client, reverse(f"feeds:{fmt}"), data={"full": "1"})).entries
    for html in (entry.summary, entry.content[0].value):
        math = BeautifulSoup(html, "html.parser").find("math")
        assert math is not None, html
        assert [mi.text for mi in math.find_all("mi")] == ["a", "b"]
        assert math.find("mo").text == "<"
    assert "R&D" in text_of(entry.summary)
