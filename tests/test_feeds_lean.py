"""What keeps an uncached feed cheap: narrow item rows, tag names in one query, the generator
filled without Django's ``Feed`` (and writing what it would), the document handed to the
response in one piece, and full-content URLs rewritten without tokenizing the MathML."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.http import http_date

from articles.models import Article
from feeds.feeds import CategoryFeed, SeriesFeed, StreamFeed, TagFeed, feed_rows, item_tag_uri
from feeds.generators import AtomFeed, JsonFeed, RssFeed
from feeds.html import absolutize_urls
from feeds.stream import update_stream
from tests.factories import ArticleFactory, CategoryFactory, UserFactory
from tests.factories_series import SeriesFactory, SeriesPartFactory

pytestmark = pytest.mark.django_db


def reference_items(*, category=None, tag=None, series=None, full=False):
    """The notes as Django's Feed read them before ``feed_rows``: model instances, each with
    its tag names sorted."""
    stream = update_stream(category=category, tag=tag, series=series)
    stream = stream.select_related("category", "author").prefetch_related("tags")
    articles = list(stream[: settings.FEED_ITEMS])
    for article in articles:
        article.tag_names = sorted(tag.name for tag in article.tags.all())
    return articles


def test_feed_rows_are_plain_rows_with_each_notes_tag_names_sorted():
    tagged = ArticleFactory(tags=["注意力", "Transformer", "RL"])
    untagged = ArticleFactory()
    with CaptureQueriesContext(connection) as queries:
        rows = feed_rows()
    assert len(queries) == 2  # the notes, then their tags' names
    assert [(row.pk, names) for row, names in rows] == [
        (untagged.pk, []),
        (tagged.pk, ["RL", "Transformer", "注意力"]),
    ]
    assert not any(isinstance(row, Article) for row, _ in rows)


@pytest.mark.parametrize("full", [False, True])
def test_the_item_query_reads_no_account_or_source_columns(client, full):
    ArticleFactory(tags=["RL"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/feeds/atom/", {"full": "1"} if full else {}).status_code == 200
    (items,) = [q["sql"] for q in queries if '"articles_article"."summary_feed_html"' in q["sql"]]
    for column in ('"password"', '"email"', '"username"', '"body"', '"summary"', '"body_html"'):
        assert column not in items
    assert ('"body_feed_html"' in items) is full


def test_feed_items_read_no_card_html(client):
    ArticleFactory(tags=["RL"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/feeds/rss/").status_code == 200
    (items,) = [q["sql"] for q in queries if '"articles_article"."summary_feed_html"' in q["sql"]]
    assert '"summary_html"' not in items and '"title_html"' not in items


@pytest.mark.parametrize(("ours", "djangos"), [(RssFeed, Rss201rev2Feed), (AtomFeed, Atom1Feed)])
def test_xml_feeds_write_what_djangos_generators_write(ours, djangos):
    published = timezone.now()

    def document(generator):
        feed = generator(title="笔记 & <数学>", link="https://x.example/", description="描述")
        feed.add_item(
            title="注意力机制",
            link="https://x.example/a/",
            description="<p>a &lt; b</p>",
            pubdate=published,
        )
        response = HttpResponse(content_type=feed.content_type)
        feed.write(response, "utf-8")
        return response.content

    ours_written, djangos_written = document(ours), document(djangos)
    assert ours_written.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    # Ours adds a <generator> (and, for RSS, the content namespace); the rest is Django's.
    assert (
        ours_written.replace(b"<generator>notes_site</generator>", b"").replace(
            b' xmlns:content="http://purl.org/rss/1.0/modules/content/"', b""
        )
        == djangos_written
    )


def test_absolutize_urls_rewrites_url_attributes_of_tags_only():
    math = (
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mi>x</mi></mrow>'
        '<annotation encoding="application/x-tex">x</annotation></semantics></math>'
    )
    html = (
        f'<p>{math} &lt;a href="/code"&gt; src=/text</p>'
        '<span title="href=/no">t</span>'
        '<a title="src and href" class="x" href="/yes">y</a>'
        "<img alt=\"it's\" src='pic.png' />"
    )
    assert absolutize_urls(html, "https://h.example/articles/n/") == (
        f'<p>{math} &lt;a href="/code"&gt; src=/text</p>'
        '<span title="href=/no">t</span>'
        '<a title="src and href" class="x" href="https://h.example/yes">y</a>'
        '<img alt="it&#x27;s" src="https://h.example/articles/n/pic.png" />'
    )


class DjangosFeed(Feed):
    """One of our feeds as Django's ``Feed`` builds it, attribute by attribute from model
    instances (as feeds.py did before filling the generator itself): the reference ours must
    match byte for byte."""

    def __init__(self, ours):
        self.ours = ours
        self.feed_type = ours.feed_type

    language = settings.LANGUAGE_CODE

    def get_object(self, request, **kwargs):
        return self.ours.get_object(request, **kwargs)

    def title(self, scope):
        return self.ours.title(scope)

    def subtitle(self, scope):
        return self.ours.subtitle(scope)

    def description(self, scope):
        return self.ours.description(scope)

    def link(self, scope):
        return self.ours.link(scope)

    def categories(self, scope):
        return self.ours.categories(scope)

    def feed_url(self, scope):
        return scope.feed_path

    def feed_guid(self, scope):
        return scope.absolute(scope.feed_path)

    def ttl(self, scope):
        return max(1, settings.FEED_CACHE_MAX_AGE // 60)

    def items(self, scope):
        articles = reference_items(
            category=scope.category, tag=scope.tag, series=scope.series, full=scope.full
        )
        return [(article, scope) for article in articles]

    def item_title(self, item):
        return item[0].title_text or item[0].title

    def item_link(self, item):
        return item[0].get_absolute_url()

    def item_description(self, item):
        return item[0].summary_feed_html

    def item_guid(self, item):
        return item_tag_uri(item[0], item[1].tag_authority)

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item[0].published_at

    def item_updateddate(self, item):
        return item[0].last_revised_at

    def item_author_name(self, item):
        return item[0].author.get_full_name() or settings.SITE_TITLE

    def item_categories(self, item):
        return [item[0].category.name, *item[0].tag_names]

    def item_extra_kwargs(self, item):
        article, scope = item
        extra = {"summary_text": article.summary_text}
        if scope.full:
            base = scope.absolute(article.get_absolute_url())
            extra["content"] = absolutize_urls(article.body_feed_html, base)
        return extra


@pytest.mark.parametrize("generator", [RssFeed, AtomFeed, JsonFeed])
def test_our_feeds_write_what_djangos_feed_writes(generator, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "notes.example.org"]
    now = timezone.now()
    rl = CategoryFactory(name="强化学习", slug="强化学习", description="RL & <更多>")
    named, unnamed = UserFactory(first_name="张", last_name="三"), UserFactory(first_name="")
    series = SeriesFactory(slug="系列")
    body = "公式 $x^2$，[链接](/articles/other/)、![图](/media/a.png) 与 [锚点](#sec) & <b>粗</b>"
    for i in range(4):
        note = ArticleFactory(
            title=f"笔记 {i} $x^{i}$ & <t>",
            slug=f"笔记-{i}",
            author=named if i % 2 else unnamed,
            category=rl,
            body=f"{body} {i}",
            tags=["注意力", "RL"] if i else [],
            published_at=now - timedelta(days=i + 1),
        )
        if i != 2:
            SeriesPartFactory(series=series, article=note)
    Article.objects.filter(slug="笔记-1").update(revised_at=now - timedelta(hours=1))
    feeds = [
        (StreamFeed, "/feeds/x/", {}),
        (CategoryFeed, "/feeds/categories/x/", {"slug": rl.slug}),
        (TagFeed, "/feeds/tags/x/", {"slug": "注意力"}),
        (SeriesFeed, "/feeds/series/x/", {"slug": series.slug}),
    ]
    for feed_class, path, kwargs in feeds:
        for query in ("", "?full=1"):
            request = RequestFactory().get(path + query, secure=True, HTTP_HOST="notes.example.org")
            ours = feed_class(generator)
            response = ours(request, **kwargs)
            assert response.status_code == 200
            assert response.content == DjangosFeed(ours)(request, **kwargs).content, path + query


def test_a_feed_without_validators_is_last_modified_at_its_newest_item(client, monkeypatch):
    """Only when the scope appears between reading its state and building the feed."""
    newest = ArticleFactory(published_at=timezone.now() - timedelta(days=1))
    ArticleFactory(published_at=timezone.now() - timedelta(days=2))
    monkeypatch.setattr(StreamFeed, "get_state", lambda self, **kwargs: None)
    response = client.get("/feeds/rss/")
    assert response.status_code == 200
    assert "ETag" not in response
    assert response["Last-Modified"] == http_date(newest.published_at.timestamp())
