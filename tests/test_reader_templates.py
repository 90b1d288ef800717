"""The reader's pages are Jinja2 templates (notes_site/jinja2.py): what authors and readers type
is escaped as Django's templates escaped it, and a page tells the test client what it rendered."""

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.urls import reverse

from articles.models import Article
from series.models import Series, SeriesPart
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>&'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;"


@pytest.fixture
def hostile_note():
    category = CategoryFactory(name=f"分类{HOSTILE}", slug="hostile", description=HOSTILE)
    note = ArticleFactory(title=f"笔记{HOSTILE}", category=category)
    note.tags.add(f"标签{HOSTILE}")
    return Article.objects.get(pk=note.pk)


def pages(note):
    tag = note.tags.get()
    return [
        reverse("feeds:home"),
        note.get_absolute_url(),
        note.category.get_absolute_url(),
        reverse("feeds:tag_detail", kwargs={"slug": tag.slug}),
        reverse("articles:category_list"),
    ]


def test_what_authors_type_is_escaped_on_every_page(client, hostile_note):
    for path in pages(hostile_note):
        html = client.get(path).content.decode()
        assert "<script>alert" not in html, path
        assert ESCAPED in html, path


def test_a_series_title_and_description_are_escaped(client, hostile_note):
    series = Series.objects.create(title=f"系列{HOSTILE}", slug="hostile", description=HOSTILE)
    SeriesPart.objects.create(series=series, article=hostile_note, position=1)
    paths = (series.get_absolute_url(), reverse("series:index"), hostile_note.get_absolute_url())
    for path in paths:
        html = client.get(path).content.decode()
        assert "<script>alert" not in html, path
        assert ESCAPED in html, path


def test_the_search_query_is_escaped_where_it_is_echoed(client, hostile_note):
    html = client.get(reverse("search:results"), {"q": HOSTILE}).content.decode()
    assert "<script>alert" not in html
    assert f'value="{ESCAPED}"' in html


def test_rendered_html_is_printed_as_html(client, hostile_note):
    html = client.get(hostile_note.get_absolute_url()).content.decode()
    assert hostile_note.body_html in html
    assert hostile_note.summary_html in client.get(reverse("feeds:home")).content.decode()


def test_the_test_client_sees_the_templates_and_their_context(client, hostile_note):
    response = client.get(hostile_note.get_absolute_url())
    assert "articles/article_detail.html" in [template.name for template in response.templates]
    assert response.context["article"] == hostile_note


def test_the_date_filter_prints_in_the_current_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    moment = datetime(2026, 3, 31, 20, 30, tzinfo=UTC)  # 04:30 on 1 April there
    template = engines["jinja2"].from_string("{{ moment|date('Y-m-d H:i') }}|{{ none|date('c') }}")
    assert template.render({"moment": moment, "none": None}) == "2026-04-01 04:30|"


def test_a_missing_variable_prints_nothing_as_in_django_templates():
    template = engines["jinja2"].from_string("[{{ missing }}|{{ missing.attribute.deeper }}]")
    assert template.render({}) == "[|]"
