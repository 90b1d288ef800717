"""Math extraction and KaTeX typesetting: every delimiter form reaches KaTeX byte for byte."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from html import escape

import feedparser
import pytest

from articles import rendering


@pytest.mark.parametrize(
    ("text", "tex", "display"),
    [
        (r"见 \( p_{\theta}(z) \) 处", r" p_{\theta}(z) ", False),
        (r"见 $a_1 * b_2$ 处", r"a_1 * b_2", False),
        (r"段中 \[ \mathbb{E}_{z\sim p_{\theta}(z)}[f(z)] \tag{1} \] 继续", None, True),
        (r"段中 $$\frac{QK^T}{\sqrt{d_k}}$$ 继续", r"\frac{QK^T}{\sqrt{d_k}}", True),
        (
            "\\begin{aligned} a &= b \\\\\n c &= {d_{e_{f}}} \\end{aligned}",
            "\\begin{aligned} a &= b \\\\\n c &= {d_{e_{f}}} \\end{aligned}",
            True,
        ),
    ],
)
def test_each_delimiter_form_is_extracted_exactly(text, tex, display):
    _, formulas = rendering.extract_math(text)
    assert len(formulas) == 1
    if tex is not None:
        assert formulas[0].tex == tex
    assert formulas[0].display is display
    assert formulas[0].source in text


@pytest.mark.parametrize(
    "text",
    ["costs $5 and $10 today", r"a literal \$ sign and \$x\$", "`$x$ and \\(y\\)` in code"],
)
def test_not_math(text):
    assert rendering.extract_math(text)[1] == []


def test_math_in_fenced_code_is_left_alone():
    text = "```python\nprice = '$x$ \\(y\\)'\n```\n"
    out, formulas = rendering.extract_math(text)
    assert formulas == [] and out == text
    html = rendering.render_preview(text)
    assert "katex" not in html and "$x$" in html


def test_page_gets_html_and_mathml_feed_gets_mathml_only():
    result = rendering.render_article(r"能量 \( E = mc^2 \) 公式")
    assert 'class="katex"' in result.body_html and "katex-html" in result.body_html
    assert "<math" in result.body_feed_html and "katex-html" not in result.body_feed_html
    assert "\\(" not in result.body_html


def test_pipe_in_math_does_not_split_table_cell():
    text = "| 范数 | 值 |\n|---|---|\n| $|x|$ | 1 |\n"
    html = rendering.render_preview(text)
    assert html.count("<td>") == 2
    assert "katex" in html


def test_broken_formula_shows_source_with_error_mark():
    html = rendering.render_preview(r"坏公式 \( \frac{1 \) 之后")
    assert "math-error" in html and r"\frac{1" in html and "之后" in html


def test_unchanged_formula_is_not_rerendered(monkeypatch):
    rendering.render_preview(r"$\alpha_{cached}$")
    calls = []
    original = rendering.katex.render_many
    monkeypatch.setattr(
        rendering.katex, "render_many", lambda items: calls.append(items) or original(items)
    )
    rendering.render_preview(r"再次 $\alpha_{cached}$")
    assert calls == []


def test_feedparser_keeps_the_mathml_of_feed_html():
    result = rendering.render_article(r"## 概述" "\n\n" r"期望 \( \frac{a}{b} \) 与 $$x^2$$")
    atom = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>'
        "<updated>2026-01-01T00:00:00Z</updated><entry><title>e</title><id>urn:e</id>"
        "<updated>2026-01-01T00:00:00Z</updated>"
        f'<content type="html">{escape(result.body_feed_html)}</content>'
        f'<summary type="html">{escape(result.summary_feed_html)}</summary></entry></feed>'
    )
    entry = feedparser.parse(atom).entries[0]
    assert "<mfrac>" in entry.content[0].value and "<msup>" in entry.content[0].value
    assert "<math" in entry.summary and "<mfrac>" in entry.summary


def test_concurrent_renders_share_the_engine_safely():
    texts = [rf"线程 {n}: \( x_{{{n}}}^2 + \frac{{{n}}}{{k}} \)" for n in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(rendering.render_preview, texts))
    assert results == [rendering.render_preview(text) for text in texts]
    assert all("katex" in html and "math-error" not in html for html in results)


def test_typesetting_works_inside_a_running_event_loop():
    """mini-racer refuses time limits in a thread running an asyncio loop (Playwright's sync
    API, an async view): KaTeX then runs in a helper thread."""

    async def render():
        return rendering.render_preview(r"异步 $\beta_{\mathrm{loop}}^{2}$")

    # In a thread of its own: after the browser tests, this one already runs Playwright's loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        html = pool.submit(asyncio.run, render()).result()
    assert 'class="katex"' in html and "math-error" not in html
