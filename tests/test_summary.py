"""Summaries: plain text, whole formulas, grapheme-aware cuts (properties via hypothesis)."""

import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import rendering

FORMULAS = [r"\( p_{\theta}(z) \)", r"$a_1 * b_2$", r"\[ \frac{QK^T}{\sqrt{d_k}} \]", r"$$x^2$$"]
PIECES = st.sampled_from(
    [
        "注意力机制", "。", "！", " ", "\n\n", "## 概述\n\n", "FlashAttention", "LoRA", "是", "的",
        "💡", "🇨🇳", "e\u0301", "https://arxiv.org/abs/2106.09685", ".", "?", "**重点**", "`code`",
        "- 列表项\n", "[链接](https://example.org)", "![图](a.png)", "\n```\ncode block\n```\n",
        *FORMULAS,
    ]
)  # fmt: skip
DOCUMENTS = st.lists(PIECES, max_size=120).map("".join)
LENGTHS = st.integers(min_value=10, max_value=400)


def graphemes(text):
    return len(regex.findall(r"\X", text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, LENGTHS)
def test_summary_properties(document, length):
    summary = rendering.summarize(document, length=length)
    body = summary.removesuffix("...")
    assert graphemes(body) <= length
    _, formulas = rendering.extract_math(summary)
    assert "".join(f.source for f in formulas) == "".join(
        match for match in regex.findall("|".join(map(regex.escape, FORMULAS)), summary)
    )
    assert summary.count(r"\(") == summary.count(r"\)")
    assert summary.count(r"\[") == summary.count(r"\]")
    assert rendering.shorten(summary, length=length) == summary


@given(st.text(max_size=500), LENGTHS)
@settings(deadline=None)
def test_summary_never_raises_on_any_text(text, length):
    summary = rendering.summarize(text, length=length)
    assert graphemes(summary.removesuffix("...")) <= length


@given(st.text(alphabet="abc 注意。💡🇨🇳\u0301\u200d$", max_size=300), LENGTHS)
@settings(deadline=None)
def test_shorten_cuts_on_grapheme_boundaries(text, length):
    normalised = " ".join(text.split())
    body = rendering.shorten(text, length=length).removesuffix("...")
    assert normalised.startswith(body)
    rest = normalised[len(body) :]
    assert graphemes(body) + graphemes(rest) == graphemes(normalised)


def test_summary_never_splits_grapheme_or_word():
    text = "👨‍👩‍👧‍👦" * 5 + " FlashAttention " * 5
    summary = rendering.summarize(text, length=12)
    assert summary.endswith("...")
    assert "👨‍👩‍👧‍👦" * 5 in summary and "Flash..." not in summary
    assert not summary.removesuffix("...").endswith("Flash")


def test_summary_keeps_formula_whole_and_drops_code_and_images():
    text = "## 概述\n\n前文 \\( \\mathbb{E}[f(z)] \\) 后文\n\n```\nprint(1)\n```\n\n![图](a.png) [链接](https://x.org)"
    summary = rendering.summarize(text, length=350)
    assert summary == "概述 前文 \\( \\mathbb{E}[f(z)] \\) 后文 链接"
    cut = rendering.summarize(text, length=8)
    assert cut == "概述 前文..."


def test_summary_prefers_sentence_end():
    text = "第一句话说完了。" + "后" * 3
    assert rendering.summarize(text, length=10) == "第一句话说完了。..."


def test_short_note_gets_no_ellipsis(settings):
    settings.SUMMARY_LENGTH = 300
    result = rendering.render_article("短短一句 $x$。")
    assert result.summary_text == "短短一句 $x$。"
    assert "katex" in result.summary_html and "<math" in result.summary_feed_html


def test_hand_written_summary_is_escaped_and_typeset():
    result = rendering.render_article("正文", summary="<b>粗</b> 与 \\( x^2 \\)")
    assert "&lt;b&gt;" in result.summary_html and "katex" in result.summary_html
    assert result.summary_text == "<b>粗</b> 与 \\( x^2 \\)"
