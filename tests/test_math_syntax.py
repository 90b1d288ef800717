"""Math found by the Markdown parser: code, HTML and link syntax never hold a formula, emphasis
and escapes never break one, and each formula reaches KaTeX byte for byte."""

import html
import re
import tomllib
from pathlib import Path

import pytest

from articles import rendering

_ANNOTATION_RE = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)


def typeset_tex(text):
    """The TeX of every formula KaTeX typeset in the page HTML of ``text``, in order."""
    return [html.unescape(tex) for tex in _ANNOTATION_RE.findall(rendering.render_preview(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("    缩进代码 $x$ 与 \\(y\\)\n\n正文 $z$\n", ["z"]),
        ("- 列表\n  - 更深\n    ```\n    $a$ \\[b\\]\n    ```\n\n  $c$\n", ["c"]),
        ("> 引用\n> > 更深\n> > ```\n> > $$x$$\n> > ```\n> > 外面 $w$\n", ["w"]),
        ("1. 项\n\n       缩进代码 $x$\n", []),
        ('<div class="note">\n$x$ 在 HTML 块里\n</div>\n\n后 $y$\n', ["y"]),
        ('行内 <span title="$x$">HTML</span> 与 $y$\n', ["y"]),
        ('[链接](https://a.org/ "标题 $x$") 与 $y$\n', ["y"]),
        ("[引用][r] 与 $y$\n\n[r]: https://a.org/$x$ '标题 $t$'\n", ["y"]),
        ("<https://a.org/$x$> 与 $y$\n", ["y"]),
        ("`$x$` 与 ``a ` $y$`` 与 $z$\n", ["z"]),
    ],
    ids=[
        "indented-code",
        "fence-in-nested-list",
        "fence-in-nested-quote",
        "indented-code-in-list",
        "html-block",
        "html-inline",
        "link-title",
        "reference-definition",
        "autolink",
        "code-spans",
    ],
)
def test_nothing_in_code_html_or_link_syntax_is_math(text, expected):
    assert typeset_tex(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"*强调 $a*b*c$ 之后*", ["a*b*c"]),
        (r"**$x_1$**与 _$y_2$_", ["x_1", "y_2"]),
        (r"$a\_b \\ c$ 与 \(\{x\}\)", [r"a\_b \\ c", r"\{x\}"]),
        (r"转义 \$x\$ 与 \\(y\\) 都不是公式", []),
        ("costs $5 and $10 today", []),
        (r"段中 $$\sum_i x_i$$ 继续 \[y\] 再 \begin{matrix}a\end{matrix} 完", None),
        ("[$x^2$ 的链接](https://a.org/)", ["x^2"]),
    ],
    ids=["emph-inside", "emph-around", "tex-escapes", "md-escapes", "money", "display", "link"],
)
def test_emphasis_and_escapes_never_break_a_formula(text, expected):
    if expected is None:
        expected = [r"\sum_i x_i", "y", r"\begin{matrix}a\end{matrix}"]
    assert typeset_tex(text) == expected


def test_display_block_in_list_and_quote_keeps_its_lines():
    text = "- 项\n\n  $$\n  a \\\\\n  - b\n  $$\n\n> \\begin{aligned}\n> x &= 1\n> \\end{aligned}\n"
    out = rendering.render_preview(text)
    assert typeset_tex(text) == ["\na \\\\\n- b\n", "\\begin{aligned}\nx &= 1\n\\end{aligned}"]
    assert "<ul>" in out and out.count("<li>") == 1  # "- b" inside the formula is no list


def test_display_formula_interrupting_a_paragraph():
    text = "其中\n$$\na\n===\n+ b\n> c\n$$\n继续\n"
    out = rendering.render_preview(text)
    assert typeset_tex(text) == ["\na\n===\n+ b\n> c\n"]
    assert "<h1" not in out and "<ul>" not in out and "<blockquote>" not in out
    assert "<p>其中</p>" in out and "<p>继续</p>" in out


def test_unclosed_display_opener_stays_prose():
    assert typeset_tex("$$ 没有结尾\n\n文字 $x$\n") == ["x"]


def test_pipes_in_formulas_in_tables_and_escaped_pipes():
    text = "| a | b |\n|---|---|\n| $\\|x\\|$ | `c|d` |\n| \\| | $|y|$ |\n"
    out = rendering.render_preview(text)
    assert typeset_tex(text) == [r"\|x\|", "|y|"]
    assert out.count("<td>") == 4 and "<code>c</code>" not in out


def test_image_alt_keeps_the_formula_source():
    out = rendering.render_preview(r"![图 $\alpha$ 的曲线](a.png)")
    assert r'alt="图 $\alpha$ 的曲线"' in out and "katex" not in out


def test_formula_numbering_feeds_the_plain_text_and_summary():
    result = rendering.render_article("## 标题 $h$\n\n正文 $a$ 与\n\n$$\nb\n$$\n\n| $c$ |\n|---|\n")
    assert result.plain_text == result.summary_text == "标题 $h$ 正文 $a$ 与 $$ b $$ $c$"
    assert result.summary_html.count('class="katex"') == 4


def test_broken_formulas_with_the_same_tex_show_their_own_source():
    first = rendering.render_preview(r"坏 $\frac{1$")
    second = rendering.render_preview(r"坏 \(\frac{1\)")
    assert "<code>$\\frac{1$</code>" in first
    assert "<code>\\(\\frac{1\\)</code>" in second and "$" not in second


def test_demo_notes_formulas_are_the_ones_written():
    """The demo notes have no formula-like text in code: the parser finds exactly the formulas
    a plain scan of the source finds, each typeset."""
    for path in sorted((Path(rendering.__file__).parent.parent / "demo").glob("*.toml")):
        body = tomllib.loads(path.read_text(encoding="utf-8"))["body"]
        written = [formula.tex for formula in rendering.extract_math(body)[1]]
        assert written and typeset_tex(body) == written, path.name
