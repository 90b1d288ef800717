"""Bare http(s) URLs become links (linkify-it), never inside code or math, and CJK punctuation
after a URL stays out of it."""

import pytest

from articles import rendering


def link(url):
    return f'<a href="{url}" rel="noopener noreferrer">{url}</a>'


@pytest.mark.parametrize(
    ("text", "url", "after"),
    [
        (
            "参考 https://arxiv.org/abs/1707.06347。后文",
            "https://arxiv.org/abs/1707.06347",
            "。后文",
        ),
        ("（见 https://a.org/x）后", "https://a.org/x", "）后"),
        ("「https://a.org/x」，再看", "https://a.org/x", "」，再看"),
        ("链接 https://a.org/x，然后 b", "https://a.org/x", "，然后"),
        ("链接 https://a.org/x、https://b.org", "https://a.org/x", "、"),
        ("see http://a.org/p?q=1#f.", "http://a.org/p?q=1#f", "."),
    ],
)
def test_bare_url_becomes_a_link_without_the_punctuation_after_it(text, url, after):
    html = rendering.render_preview(text)
    assert link(url) + after in html


@pytest.mark.parametrize(
    "text",
    [
        "`https://a.org/x`",
        "```\nhttps://a.org/x\n```",
        "    https://a.org/x",
        r"$\text{https://a.org/x}$",
        r"\(\href{https://a.org/x}{y}\)",
        "train.py 与 numpy.org 与 a@b.com 与 ftp://a.org",
    ],
    ids=["code-span", "fence", "indented", "math", "math-href", "no-fuzzy"],
)
def test_no_link_in_code_math_or_without_a_scheme(text):
    assert "<a " not in rendering.render_preview(text)


def test_formula_right_after_a_url_stays_a_formula():
    html = rendering.render_preview(r"https://arxiv.org/abs/2106.09685\( p_{\theta} \) 与 $x$")
    assert link("https://arxiv.org/abs/2106.09685") in html
    assert html.count('class="katex"') == 2


def test_written_links_are_not_linked_twice_and_stay_sanitised():
    html = rendering.render_preview("[https://a.org](https://b.org) 和 <https://c.org>")
    assert html.count("<a ") == 2 and 'href="https://b.org"' in html
    assert "<a " not in rendering.render_preview("javascript://a.org/%0aalert(1)")
