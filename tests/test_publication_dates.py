"""Publication dates (empty on drafts, set at publication unless typed) and revised_at (the
"updated" time readers see: content changes only)."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Category
from articles.revisions import history
from articles.services import save_article
from tests.admin_forms import change_form_data, change_url, rendered_form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")
ATOM = "{http://www.w3.org/2005/Atom}"
DAY_ONE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def add_form(client, **overrides):
    """The add form as the browser renders it (default values included), filled in."""
    data = rendered_form_data(client.get(ADD_URL))
    data |= {
        "title": "扩散模型笔记",
        "slug": "diffusion",
        "category": str(Category.objects.get(slug="generative").pk),
        "body": "## 概述\n\n前向加噪 \\(q(x_t \\mid x_{t-1})\\)。",
    }
    return data | overrides


def test_the_add_form_shows_no_date_and_a_draft_keeps_none(staff_client):
    data = add_form(staff_client)
    assert data["published_at_0"] == "" and data["published_at_1"] == ""
    assert staff_client.post(ADD_URL, data).status_code == 302
    draft = Article.objects.get(slug="diffusion")
    assert draft.status == "draft" and draft.published_at is None
    assert not draft.is_published()
    assert not Article.objects.published().filter(pk=draft.pk).exists()


def test_a_draft_created_with_the_default_date_and_published_a_day_later_has_the_later_date(
    staff_client,
):
    with time_machine.travel(DAY_ONE, tick=False) as clock:
        assert staff_client.post(ADD_URL, add_form(staff_client)).status_code == 302
        draft = Article.objects.get(slug="diffusion")
        clock.shift(timedelta(days=1))
        data = change_form_data(staff_client, draft, status="published")
        assert data["published_at_0"] == ""  # still nothing shown that could count as set
        assert staff_client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.published_at == DAY_ONE + timedelta(days=1)


def test_the_bulk_publish_action_dates_a_draft_at_publication_too(staff_client):
    with time_machine.travel(DAY_ONE, tick=False) as clock:
        draft = ArticleFactory(draft=True, published_at=None)
        clock.shift(timedelta(days=1))
        staff_client.post(CHANGELIST_URL, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.published_at == DAY_ONE + timedelta(days=1)
    assert draft.is_published()


def test_a_date_the_author_typed_is_kept_at_publication(staff_client):
    typed = {"published_at_0": "2026-02-14", "published_at_1": "08:30:00"}
    with time_machine.travel(DAY_ONE, tick=False) as clock:
        staff_client.post(ADD_URL, add_form(staff_client, **typed))
        draft = Article.objects.get(slug="diffusion")
        clock.shift(timedelta(days=30))
        data = change_form_data(staff_client, draft, status="published")
        assert data["published_at_0"].replace("/", "-") == "2026-02-14"  # shown, and set
        staff_client.post(change_url(draft), data)
    draft.refresh_from_db()
    assert timezone.localtime(draft.published_at).strftime("%Y-%m-%d %H:%M") == "2026-02-14 08:30"


def test_a_typed_future_date_schedules_the_note(staff_client):
    tomorrow = timezone.localtime() + timedelta(days=1)
    data = add_form(staff_client, status="published", published_at_0=f"{tomorrow:%Y-%m-%d}")
    data["published_at_1"] = f"{tomorrow:%H:%M:%S}"
    staff_client.post(ADD_URL, data)
    note = Article.objects.get(slug="diffusion")
    assert note.published_at > timezone.now()
    assert Client().get(note.get_absolute_url()).status_code == 404
    assert not Article.objects.published().filter(pk=note.pk).exists()


def test_publishing_from_the_add_form_without_a_date_publishes_now(staff_client):
    before = timezone.now()
    staff_client.post(ADD_URL, add_form(staff_client, status="published"))
    note = Article.objects.get(slug="diffusion")
    assert before <= note.published_at <= timezone.now()
    assert Client().get(note.get_absolute_url()).status_code == 200


def test_undated_drafts_work_everywhere_dates_are_read(staff_client):
    draft = ArticleFactory(draft=True, published_at=None, title="无日期草稿")
    ArticleFactory(published_at=timezone.now() - timedelta(days=2))
    ArticleFactory(published_at=timezone.now() - timedelta(days=1))

    listing = staff_client.get(CHANGELIST_URL)
    assert listing.context["cl"].result_list[0] == draft  # drafts first, on every database
    assert staff_client.get(CHANGELIST_URL, {"published_at__isnull": "True"}).status_code in (
        200,
        302,
    )
    year = timezone.localtime().year
    assert staff_client.get(CHANGELIST_URL, {"published_at__year": year}).status_code == 200
    preview = staff_client.get(draft.get_absolute_url())  # staff preview of a draft
    assert preview.status_code == 200 and "发布时定日期" in preview.content.decode()
    anonymous = Client()
    for url in ("/", f"/archive/{year}/", "/sitemap.xml", "/feeds/atom/"):
        response = anonymous.get(url)
        assert response.status_code == 200 and "无日期草稿" not in response.content.decode()
    assert Article.objects.published().count() == 2


def test_published_notes_order_the_same_on_both_databases():
    older = ArticleFactory(published_at=timezone.now() - timedelta(days=2))
    newer = ArticleFactory(published_at=timezone.now() - timedelta(days=1))
    draft = ArticleFactory(draft=True, published_at=None)
    assert list(Article.objects.all()) == [draft, newer, older]


# --- revised_at: what readers see as "updated" ---------------------------------------------


def test_a_content_edit_moves_revised_at_and_whitespace_or_tag_edits_do_not():
    with time_machine.travel(DAY_ONE, tick=False) as clock:
        note = ArticleFactory(body="## 概述\n\n前向过程逐步加噪。", published_at=DAY_ONE)
        save_article(note)
        assert note.revised_at == DAY_ONE
        clock.shift(timedelta(days=1))
        note.body = "## 概述\n\n\n前向过程  逐步加噪。\n"
        save_article(note, tags=["扩散"])
        assert note.revised_at == DAY_ONE  # whitespace and tags only
        clock.shift(timedelta(days=1))
        note.summary = "新摘要"
        save_article(note)
        assert note.revised_at == DAY_ONE + timedelta(days=2)


def test_an_importer_may_set_revised_at():
    when = datetime(2024, 5, 1, tzinfo=UTC)
    note = ArticleFactory.build(author=ArticleFactory().author, category=ArticleFactory().category)
    save_article(note, revised_at=when)
    assert Article.objects.get(pk=note.pk).revised_at == when
    note.revised_at = when - timedelta(days=1)  # set on the instance: kept as well
    note.body = "改过的正文"
    save_article(note)
    assert Article.objects.get(pk=note.pk).revised_at == when - timedelta(days=1)


def test_page_feeds_and_sitemap_show_revised_at_not_every_save(client):
    with time_machine.travel(DAY_ONE, tick=False) as clock:
        note = ArticleFactory(published_at=DAY_ONE - timedelta(days=10), slug="revised")
        save_article(note)  # created: revised_at = the publication date
        clock.shift(timedelta(days=1))
        note.body += "\n\n补充一段。"
        save_article(note)
        revised = note.revised_at
        clock.shift(timedelta(days=1))
        save_article(note, tags=["只改标签"])  # updated_at moves, revised_at does not
    note.refresh_from_db()
    assert note.updated_at > revised == note.last_revised_at

    page = client.get(note.get_absolute_url()).content.decode()
    assert f'datetime="{timezone.localtime(revised).isoformat()}"' in page
    atom = ET.fromstring(client.get(reverse("feeds:atom")).content)
    entry_updated = atom.find(f"{ATOM}entry").findtext(f"{ATOM}updated")
    assert datetime.fromisoformat(entry_updated) == revised
    item = client.get(reverse("feeds:json")).json()["items"][0]
    assert datetime.fromisoformat(item["date_modified"]) == revised
    sitemap = client.get("/sitemap-articles.xml").content.decode()
    assert f"<lastmod>{revised:%Y-%m-%d}</lastmod>" in sitemap


def test_a_tag_only_edit_still_changes_the_feed_etag(client):
    """The ETag follows every save (tags are in the feed), even when "updated" stays."""
    note = ArticleFactory()
    save_article(note)
    first = client.get(reverse("feeds:atom"))["ETag"]
    save_article(note, tags=["新标签"])
    assert client.get(reverse("feeds:atom"), HTTP_IF_NONE_MATCH=first).status_code == 200


def test_a_note_published_later_than_written_is_updated_at_publication(client):
    with time_machine.travel(DAY_ONE, tick=False) as clock:
        draft = ArticleFactory(draft=True, published_at=None)
        save_article(draft)
        clock.shift(timedelta(days=5))
        draft.status = Article.Status.PUBLISHED
        save_article(draft)
    assert draft.published_at == DAY_ONE + timedelta(days=5)
    assert draft.last_revised_at == draft.published_at  # not the March draft date


# --- The data migration ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_clears_shown_default_dates_on_drafts_and_keeps_typed_ones():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([("articles", "0008_revisions_autosave_publication_dates")])
    old = executor.loader.project_state(
        [("articles", "0008_revisions_autosave_publication_dates")]
    ).apps
    Article_ = old.get_model("articles", "Article")
    author = old.get_model("auth", "User").objects.create(username="old")
    # Its own category: an earlier transactional test may have flushed the default ones.
    category = old.get_model("articles", "Category").objects.create(name="旧", slug="old-rl")
    now = timezone.now()

    def make(slug, status, published_at):
        note = Article_.objects.create(
            title=slug, slug=slug, author=author, category=category, body="x", status=status
        )
        Article_.objects.filter(pk=note.pk).update(
            published_at=published_at, created_at=now, updated_at=now - timedelta(hours=1)
        )
        return note.pk

    shown = make("shown-default", "draft", now - timedelta(seconds=1))
    planned = make("planned", "draft", now + timedelta(days=7))
    public = make("public", "published", now - timedelta(days=3))

    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    new = executor.loader.project_state(leaves).apps.get_model("articles", "Article")

    assert new.objects.get(pk=shown).published_at is None
    assert new.objects.get(pk=planned).published_at == now + timedelta(days=7)
    assert new.objects.get(pk=public).published_at == now - timedelta(days=3)
    assert new.objects.get(pk=public).revised_at == now - timedelta(hours=1)


def test_an_untouched_date_keeps_its_seconds_and_is_not_reported_as_changed(staff_client):
    note = ArticleFactory(published_at=datetime(2026, 3, 2, 9, 0, 41, 123456, tzinfo=UTC))
    data = change_form_data(staff_client, note, body="只改正文")
    assert staff_client.post(change_url(note), data).status_code == 302
    note.refresh_from_db()
    assert note.published_at == datetime(2026, 3, 2, 9, 0, 41, 123456, tzinfo=UTC)
    (entry,) = history(note.pk)
    assert entry.version.revision.comment == "Changed Body."
    data = change_form_data(staff_client, note, published_at_0="2026-03-01")
    staff_client.post(change_url(note), data)
    assert history(note.pk)[0].version.revision.comment == "Changed Published at."
