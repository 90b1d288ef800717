"""Search snippets: formulas kept whole and typeset, marks outside math, uncut words and emoji."""

from unittest import mock

import pytest
import regex
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import rendering
from articles.rendering.formulas import iter_split_math
from search.snippets import snippets
from tests.factories import ArticleFactory


def snippet(text, words, length=None):
    """One text's snippet (the site builds them a page at a time)."""
    return snippets([text], words, length)[0]


FORMULA = r"\( Q\in\mathbb{R}^{n\times d_k} \)"
HUGE_FORMULA = "$$" + r" + ".join(f"x_{{{n}}}^{{2}}" for n in range(40)) + "$$"


def split_snippet(html):
    """(text with each formula as "\\0", [TeX of each formula or None when it failed])."""
    soup = BeautifulSoup(f"<p>{html}</p>", "html.parser")
    formulas = []
    for span in soup.select(".math"):
        assert span.find("mark") is None, "a <mark> inside math"
        annotation = span.find("annotation")
        formulas.append(annotation.string if annotation else None)
        span.replace_with("\0")
    return soup.get_text(), formulas


def graphemes(text):
    return regex.findall(r"\X", text)


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    def context():
        return django_capture_on_commit_callbacks(execute=True)

    return context


def search_snippets(client, q):
    response = client.get(reverse("search:results"), {"q": q})
    assert response.status_code == 200
    return [str(article.search_snippet) for article in response.context["articles"]]


# --------------------------------------------------------------------------- the page


@pytest.mark.django_db
def test_formula_near_the_match_is_typeset(client, indexed):
    with indexed():
        ArticleFactory(body=f"设 {FORMULA} 为查询矩阵，quokka 的维度是 $n$。")
    [html] = search_snippets(client, "quokka")
    text, formulas = split_snippet(html)
    assert 'class="katex"' in html
    assert formulas == [r" Q\in\mathbb{R}^{n\times d_k} ", "n"]
    assert text == "设 \0 为查询矩阵，quokka 的维度是 \0。"
    assert r"\(" not in text and "$" not in text
    assert "<mark>quokka</mark>" in html


@pytest.mark.django_db
def test_formula_across_the_window_edge_is_kept_whole(client, indexed, settings):
    settings.SEARCH_SNIPPET_LENGTH = 60
    # A window of 60 characters would end 7 characters into the formula.
    with indexed():
        ArticleFactory(body="quokka " + "字" * 45 + f" {FORMULA} " + "尾" * 50)
    [html] = search_snippets(client, "quokka")
    text, formulas = split_snippet(html)
    assert formulas == [r" Q\in\mathbb{R}^{n\times d_k} "]
    assert text == "quokka " + "字" * 45 + " \0..."


def test_a_formula_too_long_to_widen_to_is_left_out_whole():
    text = "quokka " + "字" * 32 + f" {HUGE_FORMULA} " + "尾" * 50
    html = snippet(text, ["quokka"], length=40)
    assert split_snippet(html) == ("quokka " + "字" * 32 + "...", [])
    assert "$" not in html


def test_a_formula_straddling_the_front_edge_is_kept_whole():
    text = "前" * 50 + f" {FORMULA} 为查询矩阵 quokka " + "尾" * 100
    text_outside, formulas = split_snippet(snippet(text, ["quokka"], length=60))
    assert formulas == [r" Q\in\mathbb{R}^{n\times d_k} "]
    assert text_outside.startswith("...\0 为查询矩阵 quokka 尾")


def test_a_note_that_is_one_huge_formula_shows_an_ellipsis():
    assert snippet(HUGE_FORMULA, ["x"], length=40) == "..."


@pytest.mark.django_db
def test_less_than_and_ampersand_are_escaped_once_inside_and_outside_math(client, indexed):
    with indexed():
        ArticleFactory(body=r"quokka 满足 $a<b \,\&\, c>d$，而 x<y & z>w。")
    [html] = search_snippets(client, "quokka")
    assert "x&lt;y &amp; z&gt;w" in html
    assert (
        '<annotation encoding="application/x-tex">a&lt;b \\,\\&amp;\\, c&gt;d</annotation>' in html
    )
    assert "&amp;lt;" not in html and "&amp;amp;" not in html
    assert "a<b" not in html and "x<y" not in html
    text, formulas = split_snippet(html)
    assert formulas == [r"a<b \,\&\, c>d"]
    assert text == "quokka 满足 \0，而 x<y & z>w。"


@pytest.mark.django_db
def test_marks_land_in_the_text_and_never_inside_math(client, indexed):
    with indexed():
        ArticleFactory(body=r"softmax 归一化 $\mathrm{softmax}(QK^\top)$ 再 softmax 一次。")
    [html] = search_snippets(client, "softmax")
    text, formulas = split_snippet(html)  # asserts no <mark> inside math
    assert html.count("<mark>softmax</mark>") == 2
    assert formulas == [r"\mathrm{softmax}(QK^\top)"]


@pytest.mark.django_db
def test_a_term_found_only_inside_a_formula_is_shown_unmarked(client, indexed):
    with indexed():
        ArticleFactory(
            body="无关的开头。" * 40 + r" 注意力写成 $\mathrm{zorblax}(QK^\top)V$ 的形式。"
        )
    [html] = search_snippets(client, "zorblax")
    text, formulas = split_snippet(html)
    assert formulas == [r"\mathrm{zorblax}(QK^\top)V"]
    assert "<mark>" not in html
    assert text.startswith("...") and "注意力写成 \0 的形式。" in text


@pytest.mark.django_db
def test_malformed_formula_shows_the_error_mark(client, indexed):
    with indexed():
        ArticleFactory(body=r"quokka 的公式 $\frac{1}{$ 写错了，$x^2$ 没错。")
    [html] = search_snippets(client, "quokka")
    soup = BeautifulSoup(html, "html.parser")
    error = soup.select_one(".math-error")
    assert error.code.string == r"$\frac{1}{$" and error["title"].startswith("KaTeX parse error")
    assert split_snippet(html)[1] == [None, "x^2"]


def test_chinese_words_and_emoji_are_whole_at_both_edges():
    family, flag = "👨\u200d👩\u200d👧\u200d👦", "🇨🇳"
    text = (
        (family + "注意力" + flag + " FlashAttention ") * 12
        + "quokka"
        + (" LoRA " + family + flag) * 12
    )
    for length in range(10, 80):
        body = (
            split_snippet(snippet(text, ["quokka"], length=length))[0]
            .removeprefix("...")
            .removesuffix("...")
        )
        assert "quokka" in body
        start = text.index(body)
        assert graphemes(text[:start]) + graphemes(body) + graphemes(text[start + len(body) :]) == (
            graphemes(text)
        )
        words = regex.findall(r"[A-Za-z]+", body)
        assert set(words) <= {"FlashAttention", "quokka", "LoRA"}, (length, body)


def test_a_word_keeps_its_combining_marks():
    assert rendering.text_atoms("Cafe\u0301 au lait") == [
        ("Cafe\u0301", 4), (" ", 1), ("au", 2), (" ", 1), ("lait", 4),
    ]  # fmt: skip
    assert snippet("注意力机制e\u0301", [], length=6) == "注意力机制e\u0301"


def test_only_the_text_around_the_match_is_split_into_atoms():
    text = "前文。" * 20_000 + " quokka $x^2$ " + "后文 " * 20_000
    with mock.patch("search.snippets.text_atoms", wraps=rendering.text_atoms) as atoms:
        html = snippet(text, ["quokka"], length=60)
    assert "<mark>quokka</mark>" in html and split_snippet(html)[1] == ["x^2"]
    assert sum(len(call.args[0]) for call in atoms.call_args_list) < 1_000


def test_formulas_are_found_only_up_to_the_region_around_the_match():
    text = "前文 quokka $x^2$ " + "后文 $y_1$ " * 5_000
    formula_of = rendering.formulas.formula_of
    with mock.patch("articles.rendering.formulas.formula_of", wraps=formula_of) as found:
        html = snippet(text, ["quokka"], length=60)
    assert "<mark>quokka</mark>" in html and split_snippet(html)[1][0] == "x^2"
    assert html.endswith("...")
    assert found.call_count < 100


@pytest.mark.django_db
def test_one_typeset_call_for_the_whole_page(client, indexed, settings):
    settings.PAGE_SIZE = 10
    with indexed():
        for n in range(12):
            ArticleFactory(
                body=f"第 {n} 篇：quokka 的损失是 $L_{{{n}}} = \\sum_i x_i^{n}$，见 \\( y_{n} \\)。"
            )
    with mock.patch("search.snippets.typeset", wraps=rendering.typeset) as typeset:
        snippets = search_snippets(client, "quokka")
    assert len(snippets) == 10
    assert typeset.call_count == 1
    assert len(typeset.call_args.args[0]) == 20
    assert all(len(split_snippet(html)[1]) == 2 for html in snippets)


@pytest.mark.django_db
def test_formulas_typeset_when_the_note_was_saved_are_cache_hits(client, indexed):
    with indexed():
        ArticleFactory(body=f"quokka 与 {FORMULA}。")
    with mock.patch.object(
        rendering.katex, "render_many", wraps=rendering.katex.render_many
    ) as render:
        search_snippets(client, "quokka")
        assert render.call_count == 0
        cache.clear()
        search_snippets(client, "quokka")
        assert render.call_count == 1


# --------------------------------------------------------------------------- properties

FORMULAS = {
    r"\( p_{\theta}(z) \)": r" p_{\theta}(z) ",
    r"$a_1 < b_2$": r"a_1 < b_2",
    r"\[ \frac{QK^T}{\sqrt{d_k}} \]": r" \frac{QK^T}{\sqrt{d_k}} ",
    r"$$x^2 \& y$$": r"x^2 \& y",
    "$" + "+".join(["a"] * 60) + "$": "+".join(["a"] * 60),
}
SOURCE_OF = {tex: source for source, tex in FORMULAS.items()}
PIECES = st.sampled_from(
    [
        "注意力机制", "。", " ", "FlashAttention", "LoRA", "的", "💡", "🇨🇳", "e\u0301", "<b>&",
        "https://arxiv.org/abs/2106.09685", "quokka", *FORMULAS,
    ]
)  # fmt: skip
TEXTS = st.lists(PIECES, max_size=80).map(lambda pieces: " ".join("".join(pieces).split()))
WORDS = st.lists(st.sampled_from(["quokka", "注意力", "lora", "theta", "💡", "机"]), max_size=3)


def occurrences(text, part):
    start = text.find(part)
    while start != -1:
        yield start
        start = text.find(part, start + 1)


def is_clean_cut(text, start, end):
    """Between grapheme clusters and not inside an English word."""
    clusters = graphemes(text[:start]) + graphemes(text[start:end]) + graphemes(text[end:])
    return clusters == graphemes(text) and not any(
        0 < i < len(text) and regex.match(r"[A-Za-z0-9]{2}", text[i - 1 : i + 1])
        for i in (start, end)
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, WORDS, st.integers(min_value=5, max_value=200))
def test_snippet_properties(text, words, length):
    html = snippet(text, words, length=length)
    outside, formulas = split_snippet(html)
    assert None not in formulas
    body = outside.removeprefix("...").removesuffix("...")
    pieces = body.split("\0")
    shown = pieces[0] + "".join(
        SOURCE_OF[tex] + piece for tex, piece in zip(formulas, pieces[1:], strict=True)
    )
    # A contiguous part of the text (formulas whole), cut cleanly, "..." where text was left out.
    assert any(
        is_clean_cut(text, start, start + len(shown))
        and outside.startswith("...") == (start > 0 or not shown and bool(text))
        and outside.endswith("...") == (start + len(shown) < len(text))
        for start in occurrences(text, shown)
    )
    runs = [part for part in rendering.split_math(text) if isinstance(part, str)]
    biggest_atom = max((size for run in runs for _, size in rendering.text_atoms(run)), default=0)
    assert len(graphemes(shown)) <= max(length * 3 // 2, biggest_atom)
    # The first term outside formulas is shown and marked.
    outside_formulas = rendering.extract_math(text)[0].lower()
    if any(word.lower() in outside_formulas for word in words):
        assert "<mark>" in html


MATH_PIECES = st.sampled_from(
    [
        "注意力", " ", "\n", "\r\n", "x", "$", "$$", "\\$", "\\\\", "`", "``", "\\(", "\\)",
        "\\[", "\\]", "\\begin{align}", "\\end{align}", "```", "~~~", "   ```py", "5", *FORMULAS,
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(MATH_PIECES, max_size=40).map("".join))
def test_iter_split_math_gives_split_math_parts(text):
    assert list(iter_split_math(text)) == rendering.split_math(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*PIECES.elements, "\r\n", "\r", "\n", "\t", "ab\x00"]), max_size=40)
)
def test_atom_sizes_are_grapheme_counts(pieces):
    text = rendering.extract_math("".join(pieces))[0]
    atoms = rendering.text_atoms(text)
    assert "".join(atom for atom, _ in atoms) == text
    assert all(size == len(graphemes(atom)) for atom, size in atoms)
