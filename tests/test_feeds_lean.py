"""What keeps an uncached feed cheap: narrow item rows, tag names in one query, the document
handed to the response in one piece, and full-content URLs rewritten without tokenizing the
MathML."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from feeds.generators import AtomFeed, RssFeed
from feeds.html import absolutize_urls
from feeds.stream import latest_updates
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_latest_updates_carries_each_notes_tag_names_sorted():
    tagged = ArticleFactory(tags=["注意力", "Transformer", "RL"])
    untagged = ArticleFactory()
    with CaptureQueriesContext(connection) as queries:
        items = {article.pk: article.tag_names for article in latest_updates()}
    assert items == {tagged.pk: ["RL", "Transformer", "注意力"], untagged.pk: []}
    assert len(queries) == 2  # the notes, then their tags' names


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
