"""Copy as LaTeX (KaTeX's copy-tex and the "copy TeX" buttons) and heading permalinks, in a
real Chromium with clipboard permissions."""

import pytest
from playwright.sync_api import expect

from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = r"""## 复杂度 $\mathcal{O}(n^2)$

平方的代价是 $\mathcal{O}(n^2)$，线性注意力把它降到 \(\mathcal{O}(n)\)。

## 推导

\[ \mathrm{Attention}(Q,K,V)=\mathrm{softmax}\left(\frac{QK^T}{\sqrt{d_k}}\right)V \]

## 小结

参考 https://arxiv.org/abs/2006.16236。
"""


@pytest.fixture
def note_page(page, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    note = ArticleFactory(
        title=r"线性注意力：把 $\mathcal{O}(n^2)$ 降到 $\mathcal{O}(n)$", body=BODY
    )
    page.goto(note.get_absolute_url())
    page.wait_for_selector(".note-body .tex-copy")
    return page


def clipboard(page):
    return page.evaluate("navigator.clipboard.readText()")


def test_copying_selected_math_puts_its_latex_on_the_clipboard(note_page):
    page = note_page
    page.evaluate(
        """() => {
        const formula = document.querySelectorAll('.note-body p .math-inline')[1];
        const range = document.createRange();
        range.selectNode(formula);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }"""
    )
    page.keyboard.press("Control+C")
    assert clipboard(page) == r"$\mathcal{O}(n)$"

    # A selection of prose and math: the math as LaTeX with its delimiters, the prose as is.
    page.evaluate(
        """() => {
        const paragraph = document.querySelectorAll('.note-body p')[0];
        getSelection().selectAllChildren(paragraph);
    }"""
    )
    page.keyboard.press("Control+C")
    copied = clipboard(page)
    assert copied.startswith(
        r"平方的代价是 $\mathcal{O}(n^2)$，线性注意力把它降到 $\mathcal{O}(n)$"
    )


def test_copy_tex_button_on_a_display_formula(note_page):
    page = note_page
    button = page.locator(".note-body .math-display .tex-copy")
    assert button.count() == 1
    assert button.get_attribute("aria-label") == "复制公式的 TeX 源码"
    button.focus()
    assert button.evaluate("el => getComputedStyle(el).opacity") == "1"
    page.keyboard.press("Enter")
    expect(button).to_have_text("已复制")  # polls without eval(), which our CSP forbids
    expected = r" \mathrm{Attention}(Q,K,V)=\mathrm{softmax}\left(\frac{QK^T}{\sqrt{d_k}}\right)V "
    assert clipboard(page) == f"$${expected}$$"


def test_heading_permalinks_are_reachable_by_keyboard_and_every_toc_link_resolves(note_page):
    page = note_page
    anchors = page.locator(".note-body .heading-anchor")
    assert anchors.count() == 3
    first = anchors.first
    assert first.evaluate("el => getComputedStyle(el).opacity") == "0"
    for _ in range(60):  # Tab from the top until the first permalink has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('heading-anchor')"):
            break
    else:
        pytest.fail("no heading permalink is reachable with Tab")
    assert first.evaluate("el => el === document.activeElement")
    assert first.evaluate("el => getComputedStyle(el).opacity") == "1"
    assert first.get_attribute("aria-label") == "本节链接：复杂度 O(n²)"
    page.keyboard.press("Enter")
    assert page.evaluate("decodeURIComponent(location.hash)") == "#复杂度-on2"

    hrefs = page.locator(".toc a").evaluate_all("links => links.map(a => a.hash)")
    assert len(hrefs) == 3
    for href in hrefs:
        assert page.evaluate("h => !!document.getElementById(decodeURIComponent(h).slice(1))", href)
    assert page.locator(".toc .katex").count() == 1


def test_note_with_math_title_and_permalinks_has_no_axe_violations(note_page, axe_violations):
    page = note_page
    assert page.locator("h1 .katex").count() == 2
    assert page.locator(".note-body a[href='https://arxiv.org/abs/2006.16236']").count() == 1
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        page.reload()
        violations = axe_violations(page)
        assert violations == [], [(v["id"], len(v["nodes"])) for v in violations]
