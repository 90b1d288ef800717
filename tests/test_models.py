from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from articles.models import Article, Category
from articles.tagging import parse_tags
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def test_default_categories_exist():
    assert list(Category.objects.values_list("slug", flat=True)) == [
        "rl",
        "generative",
        "llm",
        "systems",
    ]


def test_published_excludes_drafts_and_scheduled(article, hidden_articles):
    assert list(Article.objects.published()) == [article]


def test_scheduled_note_becomes_public_when_its_time_passes():
    note = ArticleFactory(published_at=timezone.now() + timedelta(seconds=30))
    assert not Article.objects.published().filter(pk=note.pk).exists()
    Article.objects.filter(pk=note.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert Article.objects.published().filter(pk=note.pk).exists()


def test_is_published_mirrors_queryset(article, hidden_articles):
    assert article.is_published()
    assert not any(a.is_published() for a in hidden_articles)


def test_chinese_title_gives_unicode_slug_and_url():
    note = ArticleFactory(title="策略梯度 入门", slug="")
    assert note.slug == "策略梯度-入门"
    assert (
        note.get_absolute_url()
        == "/articles/%E7%AD%96%E7%95%A5%E6%A2%AF%E5%BA%A6-%E5%85%A5%E9%97%A8/"
    )


def test_generated_slugs_are_unique():
    first = ArticleFactory(title="扩散模型", slug="")
    second = ArticleFactory(title="扩散模型", slug="")
    assert (first.slug, second.slug) == ("扩散模型", "扩散模型-2")


def test_rendered_fields_are_stored_at_save():
    note = ArticleFactory(body="## 概述\n\n**LoRA** 把更新写成低秩矩阵。")
    stored = Article.objects.values("body_html", "summary_text").get(pk=note.pk)
    assert "<strong>LoRA</strong>" in stored["body_html"]
    assert stored["summary_text"].startswith("概述 LoRA 把更新写成低秩矩阵")


def test_hand_written_summary_wins():
    note = ArticleFactory(summary="手写的摘要。")
    assert note.summary_text == "手写的摘要。"


def test_raw_html_in_body_is_sanitised():
    note = ArticleFactory(
        body='<script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">x</a>'
    )
    assert "<script" not in note.body_html
    assert "javascript:" not in note.body_html
    assert "onclick" not in note.body_html


def test_category_in_use_cannot_be_deleted(article):
    with pytest.raises(ProtectedError):
        article.category.delete()
    unused = CategoryFactory()
    unused.delete()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("强化学习，策略梯度、PPO；RLHF", ["PPO", "RLHF", "强化学习", "策略梯度"]),
        ("LoRA, 微调", ["LoRA", "微调"]),
        ('"KV cache", 推理', ["KV cache", "推理"]),
        ("", []),
    ],
)
def test_full_width_separators_split_tags(text, expected):
    assert parse_tags(text) == expected


def test_chinese_tag_gets_unicode_slug(article):
    assert "注意力" in article.tags.values_list("slug", flat=True)
