"""Conditional GET on the feeds: validators on every feed, 304s from one query, and validators
that change the moment the feed's content does."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from articles.models import Article
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

FORMATS = ["rss", "atom", "json"]


def all_feed_urls(category_slug, tag_slug="注意力"):
    urls = []
    for fmt in FORMATS:
        urls += [
            reverse(f"feeds:{fmt}"),
            reverse(f"feeds:category_{fmt}", kwargs={"slug": category_slug}),
            reverse(f"feeds:tag_{fmt}", kwargs={"slug": tag_slug}),
        ]
    return urls


def validators(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response["ETag"], response["Last-Modified"]


@pytest.fixture
def stream(db):
    """Two public notes in RL tagged 注意力, saved an hour ago (so a change is a later second)."""
    rl = CategoryFactory(name="RL", slug="rl")
    notes = [
        ArticleFactory(
            category=rl, tags=["注意力"], published_at=timezone.now() - timedelta(days=d)
        )
        for d in (1, 2)
    ]
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Article.objects.update(updated_at=an_hour_ago)
    for note in notes:
        note.refresh_from_db()
    return notes


def test_every_feed_has_validators_and_a_short_max_age(client, stream):
    for url in all_feed_urls("rl"):
        for params in ({}, {"full": "1"}):
            response = client.get(url, params)
            assert response.status_code == 200
            assert response["ETag"].startswith('W/"'), url
            assert response["Last-Modified"].endswith(" GMT"), url
            assert response["Cache-Control"] == "public, max-age=300", url


def test_max_age_is_a_setting(client, stream, settings):
    settings.FEED_CACHE_MAX_AGE = 60
    assert client.get(reverse("feeds:rss"))["Cache-Control"] == "public, max-age=60"


def test_matching_etag_gets_an_empty_304_from_one_query(
    client, stream, django_assert_max_num_queries
):
    for url in all_feed_urls("rl"):
        etag, last_modified = validators(client, url)
        with django_assert_max_num_queries(1):
            response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304, url
        assert response.content == b""
        assert response["ETag"] == etag
        assert response["Last-Modified"] == last_modified
        assert response["Cache-Control"] == "public, max-age=300"


def test_etag_lists_and_strong_forms_match_too(client, stream):
    url = reverse("feeds:atom")
    etag, _ = validators(client, url)
    strong = etag.removeprefix("W/")
    for header in (f'"stale", {etag}', strong, "*"):
        assert client.get(url, HTTP_IF_NONE_MATCH=header).status_code == 304, header


def test_matching_if_modified_since_gets_304(client, stream, django_assert_max_num_queries):
    url = reverse("feeds:rss")
    _, last_modified = validators(client, url)
    with django_assert_max_num_queries(1):
        response = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 304
    assert response.content == b""


def test_if_none_match_wins_over_if_modified_since(client, stream):
    url = reverse("feeds:rss")
    _, last_modified = validators(client, url)
    response = client.get(url, HTTP_IF_NONE_MATCH='W/"stale"', HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 200


def test_last_modified_is_the_newest_change(client, stream):
    _, last_modified = validators(client, reverse("feeds:rss"))
    newest = max(max(note.updated_at, note.published_at) for note in stream)
    assert last_modified == http_date(newest.timestamp())


def test_variant_format_and_host_have_their_own_etags(client, stream, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "notes.example.org"]
    etags = {
        validators(client, reverse("feeds:rss"))[0],
        validators(client, reverse("feeds:rss"), data={"full": "1"})[0],
        validators(client, reverse("feeds:atom"))[0],
        validators(client, reverse("feeds:json"))[0],
        validators(client, reverse("feeds:rss"), HTTP_HOST="notes.example.org")[0],
        validators(client, reverse("feeds:rss"), secure=True)[0],
    }
    assert len(etags) == 6


# --- Validators change at once ----------------------------------------------------------


def publish(stream):
    ArticleFactory(category=stream[0].category, tags=["注意力"])


def edit(stream):
    stream[1].title = "修订后的标题"
    stream[1].save()


def unpublish(stream):
    stream[1].status = Article.Status.DRAFT
    stream[1].save()


def publish_a_draft(stream):
    draft = ArticleFactory(category=stream[0].category, tags=["注意力"], draft=True)
    Article.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    draft.refresh_from_db()
    draft.status = Article.Status.PUBLISHED
    draft.save()


def delete(stream):
    stream[1].delete()


@pytest.mark.parametrize("change", [publish, edit, unpublish, publish_a_draft, delete])
def test_etag_changes_at_once(client, stream, change):
    urls = all_feed_urls("rl")
    before = {url: validators(client, url) for url in urls}
    change(stream)
    for url in urls:
        etag, last_modified = before[url]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200, url
        if change is not delete:  # a deleted note leaves no date behind (only the ETag knows)
            assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200, url


def test_deleting_the_newest_note_is_seen_by_if_modified_since(client, stream):
    Article.objects.filter(pk=stream[0].pk).update(updated_at=timezone.now())
    url = reverse("feeds:atom")
    _, last_modified = validators(client, url)
    stream[0].delete()
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_validators_change_when_a_scheduled_note_comes_out(client, stream, monkeypatch):
    ArticleFactory(
        category=stream[0].category,
        tags=["注意力"],
        published_at=timezone.now() + timedelta(hours=1),
    )
    urls = all_feed_urls("rl")
    before = {url: validators(client, url) for url in urls}
    for url in urls:  # nothing visible has changed yet
        assert client.get(url, HTTP_IF_NONE_MATCH=before[url][0]).status_code == 304
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for url in urls:
        etag, last_modified = before[url]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200, url
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200, url


def test_changes_outside_the_public_scope_keep_the_etag(client, stream):
    """Editing a draft, or a note in another category, leaves the RL feed's ETag alone."""
    draft = ArticleFactory(category=stream[0].category, tags=["注意力"], draft=True)
    url = reverse("feeds:category_atom", kwargs={"slug": "rl"})
    etag, _ = validators(client, url)
    draft.title = "草稿又改了"
    draft.save()
    ArticleFactory(category=CategoryFactory(slug="llm"))
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_renaming_the_category_changes_its_feeds_etag(client, stream):
    url = reverse("feeds:category_rss", kwargs={"slug": "rl"})
    etag, _ = validators(client, url)
    category = stream[0].category
    category.name = "强化学习"
    category.save()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize(("name", "value"), [("SITE_TITLE", "新的站名"), ("SUMMARY_LENGTH", 500)])
def test_settings_shown_in_the_feed_change_the_etag(client, stream, settings, name, value):
    url = reverse("feeds:rss")
    etag, _ = validators(client, url)
    setattr(settings, name, value)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


# --- Bad input ----------------------------------------------------------------------------

GARBAGE_ETAGS = ['"unterminated', "W/", "garbage", ",,,", '"a", junk', "\u4e2d\u6587", 'W/W/"x"']
GARBAGE_DATES = ["yesterday", "Sun, 99 Foo 2026 99:99:99 GMT", "0", "-1", "9" * 40, "\u4e2d\u6587"]


@pytest.mark.parametrize("header", GARBAGE_ETAGS)
def test_garbage_if_none_match_is_a_200(client, stream, header):
    assert client.get(reverse("feeds:rss"), HTTP_IF_NONE_MATCH=header).status_code == 200


@pytest.mark.parametrize("header", GARBAGE_DATES)
def test_garbage_if_modified_since_is_a_200(client, stream, header):
    assert client.get(reverse("feeds:atom"), HTTP_IF_MODIFIED_SINCE=header).status_code == 200


@pytest.mark.parametrize(
    "query", ["full=%ff", "full=1&full=0", "page=-1&x[]=1", "%zz=%%", "full=" + "1" * 5000, "&&=&"]
)
def test_junk_query_strings_are_never_a_500(client, stream, query):
    for url in all_feed_urls("rl"):
        assert client.get(f"{url}?{query}").status_code == 200, (url, query)


def test_unknown_scope_is_404_even_with_if_none_match_star(client, stream):
    for name in ("feeds:category_atom", "feeds:tag_rss"):
        url = reverse(name, kwargs={"slug": "no-such-slug"})
        assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 404


def test_only_get_and_head(client, stream):
    url = reverse("feeds:rss")
    response = client.post(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    head = client.head(url)
    assert head.status_code == 200
    assert head["ETag"] == client.get(url)["ETag"]
    assert client.head(url, HTTP_IF_NONE_MATCH=head["ETag"]).status_code == 304


def test_empty_feed_has_an_etag_and_304s(client, db):
    CategoryFactory(slug="empty")
    url = reverse("feeds:category_rss", kwargs={"slug": "empty"})
    response = client.get(url)
    assert response.status_code == 200
    assert "Last-Modified" not in response  # no note, no date
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
