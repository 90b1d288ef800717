"""The search index follows every write: edits, deletes, tags, tag and category renames."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.conflicts import version_token
from articles.models import Article
from search import indexing
from search.engine import search
from search.models import SearchDocument
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    def context():
        return django_capture_on_commit_callbacks(execute=True)

    return context


def public(q):
    return list(search(Article.objects.published(), q).values_list("pk", flat=True))


def fts_rows():
    """SQLite: rows in the FTS5 table (the triggers keep it in step with the documents)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_search_fts")
        return cursor.fetchone()[0]


def test_saving_a_note_indexes_it_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = ArticleFactory(title="哈密顿蒙特卡洛")
    assert not SearchDocument.objects.filter(article=note).exists()
    for callback in callbacks:
        callback()
    document = SearchDocument.objects.get(article=note)
    assert "蒙特卡洛" in document.title_tokens.split()
    assert public("蒙特卡洛") == [note.pk]


def test_edits_replace_the_old_text(indexed):
    with indexed():
        note = ArticleFactory(title="旧标题 alpha", body="正文 beta")
    with indexed():
        note.title = "新标题 gamma"
        note.body = "正文 delta"
        note.save()
    assert public("alpha") == []
    assert public("beta") == []
    assert public("gamma") == [note.pk]
    assert public("delta") == [note.pk]


def test_deletes_leave_nothing_behind(indexed):
    with indexed():
        note = ArticleFactory(title="将被删除 omega")
        ArticleFactory(title="留下 other")
    note.delete()
    assert public("omega") == []
    assert SearchDocument.objects.count() == 1
    if connection.vendor == "sqlite":
        assert fts_rows() == 1


def test_unpublishing_hides_a_note(indexed):
    with indexed():
        note = ArticleFactory(title="撤回 sigma")
    assert public("sigma") == [note.pk]
    with indexed():
        note.status = Article.Status.DRAFT
        note.save()
    assert public("sigma") == []
    assert search(Article.objects.all(), "sigma").get() == note


def test_tag_changes_follow(indexed):
    with indexed():
        note = ArticleFactory(title="某笔记", tags=["旧标签"])
    assert public("旧标签") == [note.pk]
    with indexed():
        note.tags.add("混合专家")
    assert public("混合专家") == [note.pk]
    with indexed():
        note.tags.remove("旧标签")
    assert public("旧标签") == []
    with indexed():
        note.tags.set(["思维链"])
    assert public("混合专家") == []
    assert public("思维链") == [note.pk]
    with indexed():
        note.tags.clear()
    assert public("思维链") == []


def test_tag_rename_and_delete_follow(indexed):
    with indexed():
        note = ArticleFactory(title="某笔记", tags=["kvcache"])
    tag = Tag.objects.get(name="kvcache")
    with indexed():
        tag.name = "分页注意力"
        tag.save()
    assert public("kvcache") == []
    assert public("分页注意力") == [note.pk]
    with indexed():
        tag.delete()
    assert public("分页注意力") == []


def test_category_rename_follows(indexed):
    category = CategoryFactory(name="旧分类", slug="old")
    with indexed():
        note = ArticleFactory(title="某笔记", category=category)
    with indexed():
        category.name = "推理系统"
        category.save()
    assert public("旧分类") == []
    assert public("推理系统") == [note.pk]


def test_admin_edit_indexes_title_and_tags(staff_client, indexed):
    with indexed():
        note = ArticleFactory(title="管理后台", tags=["甲"])
    url = reverse("admin:articles_article_change", args=[note.pk])
    data = {
        "title": "后台改名 theta",
        "slug": note.slug,
        "category": note.category_id,
        "tags": "乙, 蒸馏",
        "body": note.body,
        "status": note.status,
        "published_at_0": timezone.localtime(note.published_at).strftime("%Y-%m-%d"),
        "published_at_1": timezone.localtime(note.published_at).strftime("%H:%M:%S"),
        "author": note.author_id,
        "summary": "",
        "base_version": version_token(note),  # the version the form was loaded from
    }
    with indexed():
        response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert public("theta") == [note.pk]
    assert public("蒸馏") == [note.pk]
    assert public("甲") == []


def test_rebuild_command_indexes_everything():
    notes = ArticleFactory.create_batch(3, title="批量 kappa")  # indexing callbacks never ran
    ArticleFactory(title="草稿 kappa", draft=True)
    assert SearchDocument.objects.count() == 0
    out = io.StringIO()
    call_command("rebuild_search_index", "--batch-size", "2", stdout=out)
    assert "4 note(s) indexed" in out.getvalue()
    assert SearchDocument.objects.count() == 4
    assert sorted(public("kappa")) == sorted(note.pk for note in notes)
    if connection.vendor == "postgresql":
        assert not SearchDocument.objects.filter(vector__isnull=True).exists()


def test_rebuilding_twice_is_idempotent(indexed):
    with indexed():
        note = ArticleFactory(title="幂等 lambda")
    indexing.rebuild()
    indexing.rebuild()
    assert SearchDocument.objects.count() == 1
    assert public("lambda") == [note.pk]
    if connection.vendor == "sqlite":
        assert fts_rows() == 1


def test_a_saved_note_is_indexed_from_its_render_without_a_second_parse(indexed, monkeypatch):
    parsed = []
    original = indexing.body_plain_text
    monkeypatch.setattr(
        indexing, "body_plain_text", lambda body: parsed.append(body) or original(body)
    )
    with indexed():
        note = ArticleFactory(body="## 概述\n\n能量 $E = mc^2$ 与 **重点**")
    assert parsed == []
    assert SearchDocument.objects.get(article=note).plain_text == "概述 能量 $E = mc^2$ 与 重点"

    # A save that leaves the body column alone: the index reads the stored body.
    note.body = "没有存下的正文"
    with indexed():
        note.save(update_fields=["title"])
    assert parsed == ["## 概述\n\n能量 $E = mc^2$ 与 **重点**"]
    assert SearchDocument.objects.get(article=note).plain_text == "概述 能量 $E = mc^2$ 与 重点"
