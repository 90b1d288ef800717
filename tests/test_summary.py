"""Summaries: plain text, whole formulas, grapheme-aware cuts (properties via hypothesis)."""

import regex
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import rendering
from articles.rendering.formulas import placeholder, restore_sources
from articles.rendering.summary import cut_summary

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


def summarize(document, length):
    """The summary of a Markdown ``document`` at SUMMARY_LENGTH = ``length``."""
    with override_settings(SUMMARY_LENGTH=length):
        return rendering.render_article(document).summary_text


def cut(text, length):
    """The summary cutter on a plain ``text`` (formulas written with their delimiters)."""
    placeholders, formulas = rendering.extract_math(" ".join(text.split()))
    return restore_sources(cut_summary(placeholders, formulas, length), formulas)


KNOWN_FORMULA = regex.compile("|".join(map(regex.escape, FORMULAS)))


def cut_known(text, length):
    """The cutter on a summary's plain ``text``, its formulas found by the test's own list (the
    text is not Markdown: a backtick in it is a character, not a code span)."""
    formulas = [
        rendering.Formula(source=m, tex=m, display=False) for m in KNOWN_FORMULA.findall(text)
    ]
    numbered = iter(range(len(formulas)))
    placeholders = KNOWN_FORMULA.sub(lambda m: placeholder(next(numbered)), text)
    return restore_sources(cut_summary(placeholders, formulas, length), formulas)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, LENGTHS)
def test_summary_properties(document, length):
    with override_settings(SUMMARY_LENGTH=length):
        result = rendering.render_article(document)
    summary = result.summary_text
    assert graphemes(summary.removesuffix("...")) <= length
    # Every formula the summary shows is whole and typeset, as on the page.
    assert result.summary_html.count('<span class="katex">') == len(KNOWN_FORMULA.findall(summary))
    assert summary.count(r"\(") == summary.count(r"\)")
    assert summary.count(r"\[") == summary.count(r"\]")
    assert cut_known(summary, length) == summary


@given(st.text(max_size=500), LENGTHS)
@settings(deadline=None)
def test_summary_never_raises_on_any_text(text, length):
    summary = summarize(text, length)
    assert graphemes(summary.removesuffix("...")) <= length


@given(st.text(alphabet="abc 注意。💡🇨🇳\u0301\u200d$", max_size=300), LENGTHS)
@settings(deadline=None)
def test_shorten_cuts_on_grapheme_boundaries(text, length):
    normalised = " ".join(text.split())
    body = cut(text, length).removesuffix("...")
    assert normalised.startswith(body)
    rest = normalised[len(body) :]
    assert graphemes(body) + graphemes(rest) == graphemes(normalised)


def test_summary_never_splits_grapheme_or_word():
    text = "👨‍👩‍👧‍👦" * 5 + " FlashAttention " * 5
    summary = summarize(text, 12)
    assert summary.endswith("...")
    assert "👨‍👩‍👧‍👦" * 5 in summary and "Flash..." not in summary
    assert not summary.removesuffix("...").endswith("Flash")


def test_summary_keeps_formula_whole_and_drops_code_and_images():
    text = "## 概述\n\n前文 \\( \\mathbb{E}[f(z)] \\) 后文\n\n```\nprint(1)\n```\n\n![图](a.png) [链接](https://x.org)"
    summary = summarize(text, 350)
    assert summary == "概述 前文 \\( \\mathbb{E}[f(z)] \\) 后文 链接"
    short = summarize(text, 8)
    assert short == "概述 前文..."


def test_summary_prefers_sentence_end():
    text = "第一句话说完了。" + "后" * 3
    assert summarize(text, 10) == "第一句话说完了。..."


def test_short_note_gets_no_ellipsis(settings):
    settings.SUMMARY_LENGTH = 300
    result = rendering.render_article("短短一句 $x$。")
    assert result.summary_text == "短短一句 $x$。"
    assert "katex" in result.summary_html and "<math" in result.summary_feed_html


def test_hand_written_summary_is_escaped_and_typeset():
    result = rendering.render_article("正文", summary="<b>粗</b> 与 \\( x^2 \\)")
    assert "&lt;b&gt;" in result.summary_html and "katex" in result.summary_html
    assert result.summary_text == "<b>粗</b> 与 \\( x^2 \\)"


def test_summary_math_is_the_page_math():
    """Dollars in code or escaped stay text in the summary, as on the page."""
    result = rendering.render_article("代码 `$x$` 与 \\$y\\$ 和 $z$。")
    assert result.summary_text == "代码 $x$ 与 $y$ 和 $z$。"
    assert result.body_html.count('class="math ') == 1
    assert result.summary_html.count('class="math ') == 1
    assert "代码 $x$ 与 $y$ 和 " in result.summary_html


def test_multiline_formula_is_written_on_one_line_and_typeset():
    body = "前文\n\n$$\n\\begin{aligned} a &= b \\\\\n c &= d \\end{aligned}\n$$\n\n后文"
    result = rendering.render_article(body)
    formula = "$$ \\begin{aligned} a &= b \\\\ c &= d \\end{aligned} $$"
    assert result.summary_text == f"前文 {formula} 后文"
    assert result.plain_text == result.summary_text
    assert "math-error" not in result.summary_html and "katex-display" in result.summary_html
    # The summary's TeX is the one it shows (whitespace collapsed), the page's as written.
    assert "\\begin{aligned} a &amp;= b \\\\ c &amp;= d \\end{aligned}" in result.summary_html
    assert "\\begin{aligned} a &amp;= b \\\\\n c" in result.body_html


def test_long_summary_typesets_only_the_formulas_it_keeps(monkeypatch):
    body = "开头 $a$ 句子。" + "正文" * 200 + " $\\omega_{late}$"
    calls = []
    original = rendering.typesetting.typeset
    monkeypatch.setattr(
        rendering.summary, "typeset", lambda formulas: calls.append(formulas) or original(formulas)
    )
    result = rendering.render_article(body)
    assert result.summary_text.endswith("...") and "omega" not in result.summary_text
    assert [[formula.tex for formula in formulas] for formulas in calls] == [["a"]]
