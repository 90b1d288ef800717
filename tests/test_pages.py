from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Category
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def public_pages(article):
    """Every public page on which the given (published) article is listed."""
    when = timezone.localtime(article.published_at)
    return [
        "/",
        article.category.get_absolute_url(),
        reverse("feeds:tag_detail", kwargs={"slug": "注意力"}),
        reverse("feeds:archive_year", kwargs={"year": when.year}),
        reverse("feeds:archive_month", kwargs={"year": when.year, "month": when.month}),
    ]


def test_home_shows_hero_and_stream(client, article):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "INCOMING TRANSMISSION" in page
    assert "LATEST UPDATES" in page
    assert article.title in page
    assert article.category.name in page
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d") in page
    assert article.summary_html in page


def test_home_is_newest_first_and_paginated(client, settings):
    ArticleFactory.create_batch(12)
    newest = ArticleFactory(title="最新的一篇", published_at=timezone.now())
    first = client.get("/")
    assert first.context["articles"][0].url == newest.get_absolute_url()
    assert first.context["paginator"].num_pages == 2
    second = client.get("/?page=2")
    assert second.status_code == 200
    assert len(second.context["articles"]) == 3


@pytest.mark.parametrize("page", ["0", "99", "abc", "-1", "1.5", "%00", "9" * 40])
def test_bad_page_numbers_are_404_not_500(client, article, page):
    response = client.get("/", {"page": page})
    assert response.status_code == 404
    assert "SIGNAL LOST" in response.content.decode()


def test_junk_query_strings_are_ignored(client, article):
    response = client.get("/?utm_source=x&q=%ff%fe&page=last&foo[]=1")
    assert response.status_code in (200, 404)


def test_published_article_is_listed_on_every_page(client, article):
    for url in public_pages(article):
        response = client.get(url)
        assert response.status_code == 200, url
        assert article.title in response.content.decode(), url


def test_drafts_and_scheduled_notes_appear_on_no_public_page(client, article, hidden_articles):
    for url in [*public_pages(article), reverse("articles:category_list")]:
        page = client.get(url).content.decode()
        assert "HIDDEN-" not in page, url
    for hidden in hidden_articles:
        assert client.get(hidden.get_absolute_url()).status_code == 404


def test_category_list_counts_only_published(client, article, hidden_articles):
    response = client.get(reverse("articles:category_list"))
    counts = {c.slug: c.article_count for c in response.context["categories"]}
    assert counts[article.category.slug] == 1
    assert response.content.decode().count(article.category.name) >= 1


def test_article_page(client, article):
    older = ArticleFactory(published_at=article.published_at - timezone.timedelta(days=3))
    newer = ArticleFactory(published_at=article.published_at + timezone.timedelta(hours=3))
    response = client.get(article.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert article.title in page
    assert article.category.name in page
    assert "/tags/%E6%B3%A8%E6%84%8F%E5%8A%9B/" in page  # the Chinese tag links to its page
    assert article.body_html in page
    assert response.context["previous_article"] == older
    assert response.context["next_article"] == newer
    assert "noindex" not in page


def test_unicode_slugs_work_in_every_url(client):
    category = Category.objects.create(name="自然语言处理", slug="自然语言处理")
    note = ArticleFactory(title="分词", slug="中文分词", category=category, tags=["分词"])
    for url in [
        note.get_absolute_url(),
        category.get_absolute_url(),
        reverse("feeds:tag_detail", kwargs={"slug": "分词"}),
    ]:
        assert client.get(url).status_code == 200, url


def test_staff_can_preview_a_draft_marked_noindex_and_uncached(staff_client, hidden_articles):
    for hidden in hidden_articles:
        response = staff_client.get(hidden.get_absolute_url())
        assert response.status_code == 200
        assert "草稿预览" in response.content.decode()
        assert '<meta name="robots" content="noindex' in response.content.decode()
        assert response["X-Robots-Tag"] == "noindex"
        assert "no-cache" in response["Cache-Control"]


def test_non_staff_user_cannot_see_drafts(client, hidden_articles, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert client.get(hidden_articles[0].get_absolute_url()).status_code == 404


def test_archive_pages_use_local_dates(client):
    when = datetime(2026, 3, 1, 0, 30, tzinfo=SHANGHAI)  # still February in UTC
    note = ArticleFactory(title="三月初的笔记", published_at=when)
    march = client.get("/archive/2026/03/")
    assert note.title in march.content.decode()
    assert note.title not in client.get("/archive/2026/02/").content.decode()
    year = client.get("/archive/2026/")
    assert year.status_code == 200
    assert "/archive/2026/03/" in year.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/articles/no-such-note/",
        "/categories/no-such-category/",
        "/tags/no-such-tag/",
        "/archive/2026/13/",
        "/archive/2026/00/",
        "/archive/0/",
        "/archive/1999/",
        "/archive/99999/",
        "/archive/2026/3/",
        "/archive/abcd/",
        "/archive/2026/1/",
        "/articles/%E0%A4%A/",
    ],
)
def test_unknown_pages_are_themed_404s(client, article, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "SIGNAL LOST" in response.content.decode()


@pytest.fixture
def counted_pages(db):
    def urls():
        note = Article.objects.published().first()
        when = timezone.localtime(note.published_at)
        return [
            "/",
            "/categories/",
            note.category.get_absolute_url(),
            reverse("feeds:tag_detail", kwargs={"slug": "注意力"}),
            reverse("feeds:archive_year", kwargs={"year": when.year}),
            reverse("feeds:archive_month", kwargs={"year": when.year, "month": when.month}),
            note.get_absolute_url(),
        ]

    return urls


def query_counts(client, urls):
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts.append(len(ctx.captured_queries))
    return counts


def test_query_counts_do_not_grow_with_articles(client, counted_pages):
    category = Category.objects.get(slug="rl")
    now = timezone.now()

    def make(n):
        for i in range(n):
            ArticleFactory(
                category=category,
                tags=["注意力", f"t{i}"],
                published_at=now - timezone.timedelta(minutes=i + 1),
            )

    make(5)
    with_5 = query_counts(client, counted_pages())
    make(45)
    with_50 = query_counts(client, counted_pages())
    # home, categories, category, tag, year, month, article
    assert with_5 == with_50


def test_home_page_query_count_is_pinned(client, django_assert_num_queries):
    ArticleFactory.create_batch(5, tags=["注意力", "LoRA"])
    # count + page of cards (cards show no tags: nothing prefetched), and the sidebar's
    # categories, popular tags and years
    with django_assert_num_queries(5):
        client.get("/")
