"""Markdown features and the tricky-document corpus."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from articles import rendering
from articles.models import Article
from articles.rendering.reading import reading_minutes
from tests.factories import ArticleFactory

CORPUS = Path(__file__).parent / "data" / "rendering" / "tricky"


def test_chinese_emphasis():
    assert "<strong>重点。</strong>后文" in rendering.render_preview("**重点。**后文")


def test_heading_anchor_and_toc_for_chinese_headings():
    result = rendering.render_article("## 概述\n\n文\n\n## 方法\n\n### 细节\n\n## 结果\n")
    assert '<h2 id="概述">' in result.body_html
    assert '<a href="#细节">细节</a>' in result.toc_html
    assert result.toc_html.count("<ul>") == 2
    assert rendering.render_article("## 只有一个\n").toc_html == ""


def test_code_is_highlighted_with_classes():
    html = rendering.render_preview("```python\ndef f():\n    return 1\n```\n")
    assert '<pre class="highlight">' in html and 'class="k"' in html


def test_footnotes_tables_blockquotes():
    html = rendering.render_preview("正文[^1]\n\n> 引用\n\n| a |\n|---|\n| 1 |\n\n[^1]: 注释\n")
    assert "footnote" in html and "<blockquote>" in html and "<table>" in html


def test_reading_minutes_counts_chinese_chars_and_english_words():
    assert reading_minutes("字" * 800) == 2
    assert reading_minutes("word " * 600) == 3


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.md")), ids=lambda p: p.stem)
def test_tricky_corpus(path):
    """Each document lists its expectations as `<!-- expect: ... -->` / `<!-- absent: ... -->`."""
    text = path.read_text(encoding="utf-8")
    result = rendering.render_article(text)
    assert rendering.render_preview(text) == result.body_html
    assert rendering.markdown_plain_text(text) == result.plain_text
    for line in text.splitlines():
        if line.startswith("<!-- expect: "):
            assert line[13:-4] in result.body_html
        if line.startswith("<!-- absent: "):
            assert line[13:-4] not in result.body_html


@pytest.mark.django_db
def test_rerender_articles_is_idempotent_and_reports_counts(settings):
    first = ArticleFactory(body="开头一句话。" * 80)
    ArticleFactory(body="短文 $x$")
    out = StringIO()
    call_command("rerender_articles", stdout=out)
    assert "2 notes checked, 0 re-rendered, 2 unchanged." in out.getvalue()

    settings.SUMMARY_LENGTH = 30
    before_update = Article.objects.get(pk=first.pk).updated_at
    out = StringIO()
    call_command("rerender_articles", stdout=out)
    assert "2 notes checked, 1 re-rendered, 1 unchanged." in out.getvalue()
    refreshed = Article.objects.get(pk=first.pk)
    assert refreshed.summary_text.endswith("...") and len(refreshed.summary_text) <= 33
    assert refreshed.updated_at == before_update


def test_stored_fields_are_the_article_columns_the_renderer_fills():
    columns = {field.name for field in Article._meta.concrete_fields}
    assert set(rendering.STORED_FIELDS) <= columns
    assert "body_html" in rendering.STORED_FIELDS and "reading_minutes" in rendering.STORED_FIELDS
    assert "plain_text" not in rendering.STORED_FIELDS and "plain_text" not in columns
    note = Article(body="## 概述\n\n能量 $E$。", summary="")
    note.render()
    assert note.plain_text == "概述 能量 $E$。" and "katex" in note.body_html
