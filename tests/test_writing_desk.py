"""The writing desk's server side: the preview's source lines (never in stored HTML), broken
formulas with their line and KaTeX's message, the body widget's markup and media, the build."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from articles import rendering
from articles.rendering.sourcemap import strip_source_map
from articles.widgets import BodyEditor, desk_preview
from tests.factories import ArticleFactory

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "tests" / "data" / "rendering" / "tricky").glob("*.md"))
LINES_RE = re.compile(r'<(\w+)[^>]*? data-source-line="(\d+)"')

NOTE = (
    "## 概述\n"  # 1
    "\n"
    "第一段 $x$，\n"  # 3
    "接着写。\n"
    "\n"
    "- 一\n"  # 6
    "- 二\n"  # 7
    "\n"
    "> 引用\n"  # 9
    "\n"
    "| a | b |\n"  # 11
    "|---|---|\n"
    "| $|x|$ | 1 |\n"  # 13
    "\n"
    "坏 \\( \\frac{1 \\) 之后\n"  # 15
    "\n"
    "$$\n"  # 17
    "\\frac{2\n"
    "$$\n"
    "\n"
    "再坏一次 \\( \\frac{1 \\)\n"  # 21
)


def source_lines(html):
    return [(tag, int(line)) for tag, line in LINES_RE.findall(html)]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_preview_with_lines_is_the_stored_html_plus_attributes(path):
    text = path.read_text(encoding="utf-8")
    stored = rendering.render_article(text).body_html
    assert rendering.render_preview(text) == stored  # the stored path is unchanged
    with_lines = rendering.render_preview(text, source_lines=True)
    assert "data-source-line" in with_lines
    assert strip_source_map(with_lines) == stored


def test_blocks_carry_their_first_source_line():
    html = rendering.render_preview(NOTE, source_lines=True)
    lines = source_lines(html)
    for expected in [("h2", 1), ("p", 3), ("ul", 6), ("li", 6), ("li", 7), ("blockquote", 9)]:
        assert expected in lines
    assert ("table", 11) in lines and ("tr", 13) in lines
    numbers = [line for _, line in lines]
    assert numbers == sorted(numbers)  # document order is source order here


def test_code_blocks_and_display_formulas_carry_their_line_too():
    text = "正文\n\n```python\nx = 1\n```\n\n    缩进的代码\n\n$$\nx^2\n$$\n"
    html = rendering.render_preview(text, source_lines=True)
    assert '<pre class="highlight" data-source-line="3">' in html
    assert '<pre data-source-line="7">' in html
    assert re.search(r'<p data-source-line="9"><span class="math math-display">', html)
    assert strip_source_map(html) == rendering.render_preview(text)


def test_broken_formulas_carry_their_line_and_katex_message():
    html = rendering.render_preview(NOTE, source_lines=True)
    broken = re.findall(
        r'<span data-source-line="(\d+)" data-katex-error="([^"]*)" class="math [^"]*math-error"',
        html,
    )
    # The same broken formula twice: each at its own line; the display one at its "$$".
    assert [int(line) for line, _ in broken] == [15, 17, 21]
    assert all("KaTeX parse error" in message for _, message in broken)
    # Formulas that typeset carry nothing of the kind.
    assert html.count("data-katex-error") == 3


def test_a_formula_that_mentions_math_error_is_not_taken_for_a_broken_one():
    html = rendering.render_preview(r"$\text{math-error}$ 与 \( \frac{1 \)", source_lines=True)
    assert html.count("data-katex-error") == 1


def test_markers_cannot_be_forged_by_the_note():
    text = '<p class="srcline0000n3">原样</p>\n\n正文\n'
    html = rendering.render_preview(text, source_lines=True)
    assert 'class="srcline0000n3"' in html
    assert strip_source_map(html) == rendering.render_article(text).body_html


@pytest.mark.django_db
def test_too_long_body_is_refused_as_before(settings):
    settings.BODY_MAX_LENGTH = 10
    html = desk_preview("长" * 11)
    assert 'class="render-error"' in html and "data-source-line" not in html


@pytest.mark.django_db
def test_preview_endpoint_answers_with_source_lines(staff_client):
    text = "## 标题\n\n正文 $x$\n"
    response = staff_client.post(reverse("markdownx_markdownify"), {"content": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert source_lines(html)[:2] == [("h2", 1), ("p", 3)]
    assert strip_source_map(html) == ArticleFactory(body=text).body_html


@pytest.mark.django_db
def test_change_form_has_the_desk_and_not_markdownx_script(staff_client):
    response = staff_client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="markdownx writing-desk"' in html
    assert re.search(r'<textarea name="body"[^>]*class="[^"]*markdownx-editor', html)
    assert "editor/editor.js" in html and "css/writing-desk.css" in html
    assert "markdownx/js/markdownx" not in html  # the editor sends its own requests
    # Everything but the textarea waits for the script (the fallback is the plain textarea).
    assert re.search(r'class="desk-bar" data-desk-hidden hidden', html)
    assert "Keyboard shortcuts" in html
    # The review panel include of the change form is still there.
    assert 'id="editing-status"' in html


def test_widget_media_replaces_markdownx_script():
    media = BodyEditor().media
    assert "editor/editor.js" in str(media)
    assert "markdownx.js" not in str(media) and "markdownx.min.js" not in str(media)


def test_the_editor_bundle_is_built_and_served_as_static():
    """bin/setup builds it (npm run build); without it the editor is the plain textarea."""
    found = finders.find("editor/editor.js")
    assert found, "frontend/dist/editor.js is missing: run bin/setup (npm run build)"
    assert Path(found).stat().st_size > 100_000


def test_the_image_builds_the_editor_bundle():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assets = dockerfile.split("FROM python", 1)[0]
    assert "COPY frontend/editor ./frontend/editor" in assets
    assert "npm run build" in assets and "npm prune --omit=dev" in assets
    assert "COPY --from=assets /app/frontend/dist ./frontend/dist" in dockerfile
