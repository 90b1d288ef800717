"""The list pages' own work: cards made in Python (feeds/cards.py) print what the card
template printed from model instances, and URLs built once per slug equal reverse()'s."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix

from articles.context_processors import SITE_URLS, site
from articles.models import article_url, category_url
from pagecache import generation
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

# includes/article_card.html as it was, from a model instance: the reference for the cards.
MODEL_CARD = """<article class="card">
  <p class="card-meta">
    <a class="badge" href="{{ article.category.get_absolute_url }}">{{ article.category.name }}</a>
    <time datetime="{{ article.published_at|date:'c' }}">{{ article.published_at|date:"Y-m-d" }}</time>
  </p>
  <h3 class="card-title"><a href="{{ article.get_absolute_url }}">{% if article.title_html %}{{ article.title_html|safe }}{% else %}{{ article.title }}{% endif %}</a></h3>
  <p class="card-summary">{{ article.summary_html|safe }}</p>
</article>"""  # noqa: E501


def page_cards(html):
    return re.findall(r'<article class="card">.*?</article>', html, re.S)


@pytest.mark.parametrize("slug", ["attention", "强化学习", "a-b_c"])
def test_urls_are_reverses(slug):
    assert article_url(slug) == reverse("articles:article_detail", kwargs={"slug": slug})
    assert category_url(slug) == reverse("feeds:category_detail", kwargs={"slug": slug})


@pytest.mark.parametrize("prefix", ["/", "/notes/"])
def test_the_url_global_prints_what_the_url_tag_printed(prefix):
    urls = (
        ("'feeds:category_rss' slug=slug", "'feeds:category_rss', slug=slug"),
        ("'feeds:tag_atom' slug=slug", "'feeds:tag_atom', slug=slug"),
        ("'feeds:series_json' slug=slug", "'feeds:series_json', slug=slug"),
        ("'feeds:archive_year' year=2026", "'feeds:archive_year', year=2026"),
        ("'feeds:archive_month' year=2026 month=3", "'feeds:archive_month', year=2026, month=3"),
    )
    tags = engines["django"].from_string("|".join(f"{{% url {tag} %}}" for tag, _ in urls))
    calls = engines["jinja2"].from_string("|".join(f"{{{{ url({call}) }}}}" for _, call in urls))
    set_script_prefix(prefix)
    try:
        for slug in ("rl", "强化学习"):
            url = tags.render({"slug": slug})
            assert calls.render({"slug": slug}) == url
            assert url.startswith(f"{prefix}feeds/categories/")
            assert url.endswith(f"|{prefix}archive/2026/|{prefix}archive/2026/03/")
    finally:
        set_script_prefix("/")


def test_urls_follow_the_script_prefix():
    plain = article_url("强化学习")
    set_script_prefix("/notes/")
    try:
        assert article_url("强化学习") == "/notes" + plain
        assert category_url("rl") == reverse("feeds:category_detail", kwargs={"slug": "rl"})
        assert category_url("rl").startswith("/notes/")
    finally:
        set_script_prefix("/")
    assert article_url("强化学习") == plain


def test_site_urls_are_reverses_under_each_script_prefix(rf):
    for prefix in ("/", "/notes/"):
        set_script_prefix(prefix)
        try:
            site_urls = site(rf.get("/"))["site_urls"]
            assert site_urls == {name: reverse(view) for name, view in SITE_URLS.items()}
            assert site_urls["home"] == prefix
        finally:
            set_script_prefix("/")


def test_the_header_and_footer_link_the_site_pages(client):
    page = client.get("/").content.decode()
    header = re.search(r'<header class="site-header">.*?</header>', page, re.S)[0]
    footer = re.search(r'<footer class="site-footer">.*?</footer>', page, re.S)[0]
    for name in ("articles:category_list", "series:index", "feeds:archive_index"):
        assert f'<a href="{reverse(name)}">' in header
        assert f'<a href="{reverse(name)}">' in footer
    assert f'<a class="site-title" href="{reverse("feeds:home")}">' in header
    assert f'action="{reverse("search:results")}"' in header
    assert f'<a href="{reverse("feeds:atom")}" type="application/atom+xml">' in footer


def test_cards_print_what_the_model_card_printed(client):
    category = CategoryFactory(name="强化 & 学习", slug="强化学习")
    notes = [
        # A time just before midnight UTC: the next day in Asia/Shanghai.
        ArticleFactory(category=category, published_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC)),
        ArticleFactory(
            category=category,
            title="A <b> & $x^2$",
            published_at=datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC),
        ),
        ArticleFactory(category=category, published_at=datetime(2026, 3, 3, tzinfo=UTC)),
    ]
    plain = notes[2]
    plain.title_html = ""  # stored before typeset titles existed: the title is printed escaped
    plain.title = "<plain> & title"
    type(plain).objects.filter(pk=plain.pk).update(title=plain.title, title_html="")
    model_card = engines["django"].from_string(MODEL_CARD)
    expected = [model_card.render({"article": note}) for note in reversed(notes)]
    for url in ("/", "/categories/强化学习/", "/archive/2026/", "/archive/2026/03/"):
        assert page_cards(client.get(url).content.decode()) == expected, url
    assert "2026-03-02</time>" in expected[-1]  # the local date
    assert "&lt;plain&gt; &amp; title" in expected[0]


def test_a_streams_count_is_kept_for_the_generation(client, page_cache, settings):
    settings.PAGE_CACHE_ENABLED = False  # uncached pages, the fragment cache on
    category = CategoryFactory(slug="rl")
    ArticleFactory.create_batch(11, category=category)

    def get(url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
        return response.context["paginator"].count, len(counts)

    assert get("/") == (11, 1)
    assert get("/?page=2") == (11, 0)  # every page of the stream: the same count
    assert get("/categories/rl/") == (11, 1)  # another stream, its own count
    ArticleFactory(category=category)
    generation.bump()  # what a change does after commit
    assert get("/?page=2") == (12, 1)
    assert get("/") == (12, 0)


def test_a_years_months_are_kept_for_the_generation(client, page_cache, settings):
    settings.PAGE_CACHE_ENABLED = False
    ArticleFactory(published_at=datetime(2025, 3, 10, tzinfo=UTC))

    def months():
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/archive/2025/").content.decode()
        scans = [q for q in queries if "DISTINCT" in q["sql"]]
        return re.findall(r'<nav class="months".*?</nav>', page, re.S)[0].count("<a "), len(scans)

    assert months() == (1, 1)
    assert months() == (1, 0)
    ArticleFactory(published_at=datetime(2025, 7, 1, tzinfo=UTC))
    generation.bump()
    assert months() == (2, 1)
