"""Revisions: every save is recorded; History, compare, restore, recovery of deleted notes."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version
from taggit.models import Tag

from articles.diffing import diff_text
from articles.models import Article, Category, RevisionDetail
from articles.revisions import history
from articles.services import save_article
from tests.admin_forms import change_form_data, change_url
from tests.factories import ArticleFactory, CategoryFactory, StaffFactory

pytestmark = pytest.mark.django_db

Kind = RevisionDetail.Kind
ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def restore_url(article, version):
    return reverse("admin:articles_article_restore", args=[article.pk, version.pk])


def versions(article):
    return list(Version.objects.get_for_object(article).order_by("pk"))


def add_note(client, body, **fields):
    data = {
        "title": "PPO 笔记",
        "slug": "ppo",
        "category": Category.objects.get(slug="rl").pk,
        "tags": "强化学习, PPO",
        "body": body,
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "author": StaffFactory(username="editor").pk,
        "summary": "",
        **fields,
    }
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Article.objects.get(slug=data["slug"])


def edit_note(client, article, **overrides):
    response = client.post(change_url(article), change_form_data(client, article, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    return article


def test_three_saves_then_restoring_the_first_gives_its_text_back_as_a_fourth_entry(
    staff_client,
):
    first = "## 概述\n\nPPO 裁剪比率 \\(r_t(\\theta)\\)。"
    note = add_note(staff_client, first)
    edit_note(staff_client, note, body="## 概述\n\n第二版：加入 KL 惩罚。")
    edit_note(staff_client, note, body="## 概述\n\n第三版：GAE 估计优势。")
    assert len(versions(note)) == 3

    response = staff_client.post(restore_url(note, versions(note)[0]))

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.body == first
    assert "r_t" in note.body_html and "第三版" not in note.body_html  # re-rendered
    page = staff_client.get(history_url(note))
    assert len(page.context["entries"]) == 4
    newest = page.context["entries"][0]
    assert newest.kind == Kind.RESTORE and newest.changed == ["body"]
    assert newest.version.revision.user.username == "editor"


def test_history_says_who_when_what_changed_and_how_much_body(staff_client):
    note = add_note(staff_client, "正文十个字正文十个字")
    edit_note(staff_client, note, title="PPO：近端策略优化", body="正文十个字")

    entries = staff_client.get(history_url(note)).context["entries"]

    assert [entry.kind for entry in entries] == [Kind.SAVE, Kind.SAVE]
    assert entries[0].changed == ["title", "body"]
    assert entries[0].body_delta == -5
    assert entries[1].changed == ["created"] and entries[1].body_delta == 10
    assert entries[0].version.revision.comment.startswith("Changed ")
    page = staff_client.get(history_url(note)).content.decode()
    assert "title, body" in page and "-5 chars" in page and "editor" in page


def test_every_field_of_a_revision_is_kept(staff_client):
    note = add_note(staff_client, "正文", status="published", summary="摘要")
    (version,) = versions(note)
    data = version.field_dict
    for name in ("title", "slug", "body", "summary", "status"):
        assert data[name] == getattr(note, name)
    # Django's JSON serialiser keeps milliseconds.
    assert data["published_at"] == note.published_at.replace(
        microsecond=note.published_at.microsecond // 1000 * 1000
    )
    assert (data["category_id"], data["author_id"]) == (note.category_id, note.author_id)
    detail = RevisionDetail.objects.get(revision=version.revision)
    assert [name for _, name in detail.tags] == ["PPO", "强化学习"]
    assert detail.category_name == note.category.name
    assert version.revision.user.username == "editor"


def test_compare_shows_a_character_level_diff_of_chinese_and_formula_source(staff_client):
    note = add_note(staff_client, "策略梯度用 \\(\\nabla_\\theta J\\) 更新参数。")
    edit_note(staff_client, note, body="近端策略优化用 \\(\\frac{\\pi}{\\pi_{old}}\\) 更新参数。")
    old, new = versions(note)

    url = reverse("admin:articles_article_compare", args=[note.pk])
    response = staff_client.get(url, {"a": old.pk, "b": new.pk})

    assert response.status_code == 200
    (body,) = [change for change in response.context["changes"] if change.name == "body"]
    assert "<del>策略梯度用 \\(\\nabla_\\theta J</del>" in body.diff_html
    assert "<ins>近端策略优化用 \\(\\frac{\\pi}{\\pi_{old}}</ins>" in body.diff_html
    assert "katex" not in body.diff_html  # formulas are compared as their LaTeX source
    assert "更新参数。" in body.diff_html  # unchanged text shown plainly
    assert staff_client.get(url, {"a": old.pk}).status_code == 200  # against the stored note
    assert staff_client.get(url, {"a": "junk"}).status_code == 404
    assert staff_client.get(url, {"a": 999999}).status_code == 404


def test_diff_escapes_html_and_counts_characters():
    diff = diff_text("强化学习<b>旧</b>", "强化学习<script>新</script>")
    assert "<script>" not in diff.html and "script&gt;" in diff.html
    assert diff.changed and diff.inserted > 0 and diff.deleted > 0
    assert not diff_text("同样", "同样").changed


def test_long_unchanged_text_is_elided_around_the_change():
    before = "甲" * 1000 + "旧" + "乙" * 1000
    diff = diff_text(before, before.replace("旧", "新"), context=50)
    assert "diff-skip" in diff.html
    assert len(diff.html) < 400


def test_restore_asks_first_and_changes_nothing_on_get(staff_client):
    note = add_note(staff_client, "第一版")
    edit_note(staff_client, note, body="第二版")
    response = staff_client.get(restore_url(note, versions(note)[0]))
    assert response.status_code == 200
    assert "Restore this revision" in response.content.decode()
    note.refresh_from_db()
    assert note.body == "第二版" and len(versions(note)) == 2


def test_restore_brings_back_what_exists_and_says_what_could_not(staff_client):
    old_category = CategoryFactory(name="旧分类", slug="old-category")
    note = add_note(staff_client, "第一版", category=old_category.pk, tags="临时标签, PPO")
    edit_note(staff_client, note, body="第二版", category=Category.objects.get(slug="rl").pk)
    old_category.delete()
    Tag.objects.filter(name="临时标签").delete()

    response = staff_client.post(restore_url(note, versions(note)[0]), follow=True)

    note.refresh_from_db()
    assert note.body == "第一版"
    assert note.category.slug == "rl"
    assert sorted(note.tags.names()) == ["PPO"]
    text = [str(message) for message in response.context["messages"]]
    assert any("旧分类" in message and "deleted" in message for message in text)
    assert any("临时标签" in message for message in text)


def test_restore_needs_the_change_permission(client, staff_client):
    note = add_note(staff_client, "第一版")
    viewer = StaffFactory(username="viewer", is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    assert client.get(history_url(note)).status_code == 200
    assert client.post(restore_url(note, versions(note)[0])).status_code == 403


def test_history_and_restore_of_an_unknown_note_or_revision_are_404(staff_client):
    note = add_note(staff_client, "第一版")
    other = ArticleFactory()
    save_article(other)
    assert staff_client.get(reverse("admin:articles_article_history", args=[999])).status_code in (
        302,
        404,
    )
    foreign = versions(other)[0]
    assert staff_client.post(restore_url(note, foreign)).status_code == 404


def test_bulk_actions_record_a_revision_per_changed_note(staff_client):
    drafts = [ArticleFactory(draft=True, published_at=None) for _ in range(2)]
    already = ArticleFactory()
    selected = [note.pk for note in [*drafts, already]]

    staff_client.post(CHANGELIST_URL, {"action": "publish", "_selected_action": selected})

    for note in drafts:
        (entry,) = LogEntry.objects.filter(object_id=str(note.pk))
        assert entry.get_change_message() == "Published (bulk action)."
        (version,) = versions(note)
        assert version.field_dict["status"] == "published"
        assert version.revision.user.username == "editor"
        assert RevisionDetail.objects.get(revision=version.revision).kind == Kind.BULK
        assert "bulk action" in version.revision.comment
    assert versions(already) == []  # nothing to change, nothing recorded


def test_deleted_notes_can_be_recovered_with_their_id_tags_and_dates(staff_client):
    note = add_note(staff_client, "要删除的笔记", status="published")
    created_at, pk = note.created_at, note.pk
    staff_client.post(reverse("admin:articles_article_delete", args=[pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=pk).exists()

    listing = staff_client.get(reverse("admin:articles_article_recoverlist"))
    (deleted,) = listing.context["deleted"]
    assert deleted.object_repr == "PPO 笔记"
    assert "Deleted." in listing.content.decode()
    response = staff_client.post(reverse("admin:articles_article_recover", args=[deleted.pk]))

    assert response.status_code == 302
    note = Article.objects.get(pk=pk)
    assert (note.body, note.status) == ("要删除的笔记", "published")
    assert abs(note.created_at - created_at).total_seconds() < 0.001  # JSON keeps milliseconds
    assert sorted(note.tags.names()) == ["PPO", "强化学习"]
    assert "要删除的笔记" in note.body_html
    kinds = [entry.kind for entry in history(pk)]
    assert kinds == [Kind.RESTORE, Kind.DELETE, Kind.SAVE]


def test_bulk_deleted_notes_are_recoverable_too(staff_client):
    notes = [ArticleFactory(), ArticleFactory()]
    staff_client.post(
        CHANGELIST_URL,
        {"action": "delete_selected", "_selected_action": [n.pk for n in notes], "post": "yes"},
    )
    assert not Article.objects.exists()
    listing = staff_client.get(reverse("admin:articles_article_recoverlist"))
    assert len(listing.context["deleted"]) == 2


def test_recovering_a_note_whose_category_is_gone_says_so(staff_client):
    category = CategoryFactory(name="已删分类", slug="gone")
    note = add_note(staff_client, "正文", category=category.pk)
    staff_client.post(reverse("admin:articles_article_delete", args=[note.pk]), {"post": "yes"})
    category.delete()
    (deleted,) = staff_client.get(reverse("admin:articles_article_recoverlist")).context["deleted"]

    response = staff_client.post(
        reverse("admin:articles_article_recover", args=[deleted.pk]), follow=True
    )

    assert not Article.objects.filter(pk=note.pk).exists()
    assert any("已删分类" in str(m) for m in response.context["messages"])


def test_recover_refuses_get_and_anonymous_users(staff_client):
    assert staff_client.get(reverse("admin:articles_article_recover", args=[1])).status_code == 405
    response = Client().get(reverse("admin:articles_article_recoverlist"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_rerender_articles_records_no_revision():
    note = ArticleFactory()
    save_article(note)
    Article.objects.filter(pk=note.pk).update(body_html="stale")
    call_command("rerender_articles", stdout=open("/dev/null", "w"))  # noqa: SIM115
    note.refresh_from_db()
    assert note.body_html != "stale"
    assert len(versions(note)) == 1 and note.version == 2


def test_load_demo_records_revisions_once():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    count = Version.objects.get_for_model(Article).count()
    assert count == Article.objects.count() > 0
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Version.objects.get_for_model(Article).count() == count  # a rerun changes nothing


def test_the_history_page_costs_the_same_queries_for_2_or_12_revisions(staff_client):
    note = ArticleFactory()
    counts = []
    for total in (2, 12):
        while len(versions(note)) < total:
            note.body += "\n\n再加一段。"
            save_article(note)
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(history_url(note)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_revision_and_the_stored_note_with_the_same_date_show_no_date_change(staff_client):
    note = ArticleFactory(published_at=datetime(2026, 3, 2, 9, 0, 41, 123456, tzinfo=UTC))
    save_article(note)
    (version,) = versions(note)
    response = staff_client.get(
        reverse("admin:articles_article_compare", args=[note.pk]), {"a": version.pk}
    )
    assert response.context["changes"] == []
