"""Images that behave and the print stylesheet, in a real Chromium."""

import io

import pytest
from PIL import Image, ImageDraw

from articles.uploads import save_image
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_root"),
]

FILLER = "策略梯度方法直接对参数化策略做梯度上升，不需要先学价值函数。" * 20


def stored_image(size, color):
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((10, 10, size[0] - 10, size[1] - 10), fill=color)
    output = io.BytesIO()
    image.save(output, "PNG")
    return save_image("PNG", output.getvalue())


def image_note():
    urls = [stored_image((2400, 1200), "navy"), stored_image((1800, 1350), "teal")]
    body = (
        f"## 概述\n\n{FILLER}\n\n![策略网络结构]({urls[0]})\n\n{FILLER}\n\n{FILLER}\n\n"
        f'![训练曲线]({urls[1]} "图 2：训练曲线")\n\n{FILLER}'
    )
    return ArticleFactory(slug="images", body=body)


BOXES = """() => [...document.querySelectorAll('.note-body img')].map(img => {
  const box = img.getBoundingClientRect();
  return {top: box.top + scrollY, width: box.width, height: box.height, complete: img.complete,
          src: img.currentSrc, loading: img.loading};
})"""

LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 300);
})"""


def test_images_get_a_variant_chosen_by_the_browser_and_do_not_shift_the_page(page):
    image_note()
    page.goto("/articles/images/", wait_until="domcontentloaded")
    before = page.evaluate(BOXES)
    # The lazy image far below has not loaded, yet its box already has the image's shape.
    assert before[1]["loading"] == "lazy"
    assert before[1]["height"] == pytest.approx(before[1]["width"] * 1350 / 1800, abs=1)
    assert before[0]["height"] == pytest.approx(before[0]["width"] * 0.5, abs=1)

    page.wait_for_load_state("load")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.note-body img')].every(i => i.complete)"
    )
    page.evaluate("() => window.scrollTo(0, 0)")
    after = page.evaluate(BOXES)

    assert [(b["top"], b["height"]) for b in after] == [(b["top"], b["height"]) for b in before]
    assert page.evaluate(LAYOUT_SHIFT) == pytest.approx(0, abs=0.01)
    for box in after:
        # A 42rem column at DPR 1: the browser picks a WebP variant, not the 2400 px PNG.
        assert box["src"].endswith("w.webp"), box["src"]
        assert box["width"] <= 42 * 16 + 1
    assert page.locator("figure figcaption").inner_text() == "图 2：训练曲线"


def test_print_hides_the_chrome_and_shows_link_urls(page, screenshot):
    ArticleFactory(
        slug="print",
        body=(
            "## 概述\n\n见 [PPO 论文](https://arxiv.org/abs/1707.06347) 与 [下文](#推导)。\n\n"
            r"$$ \mathcal{L}(\theta)=\sum_{t=1}^{T} \log p_\theta(x_t \mid x_{<t}) $$"
            "\n\n## 推导\n\n```python\n"
            + "x = ["
            + ", ".join(str(n) for n in range(80))
            + "]\n```\n"
        ),
    )
    page.goto("/articles/print/")
    page.emulate_media(media="print")
    screenshot(page, "print-note")

    style = page.evaluate(
        """() => {
      const css = (selector, property, pseudo) =>
        getComputedStyle(document.querySelector(selector), pseudo || null)[property];
      return {
        header: css('.site-header', 'display'),
        footer: css('.site-footer', 'display'),
        toggle: css('.theme-toggle', 'display'),
        external: css('.note-body a[href^="https"]', 'content', '::after'),
        anchor: css('.note-body a[href="#推导"]', 'content', '::after'),
        math: css('.katex-display', 'overflow-x'),
        mathBreak: css('.katex-display', 'break-inside'),
        code: css('.note-body pre', 'white-space'),
        codeBreak: css('.note-body pre', 'break-inside'),
        text: css('.note-body p', 'color'),
        background: css('body', 'background-color'),
      };
    }"""
    )
    assert (style["header"], style["footer"], style["toggle"]) == ("none", "none", "none")
    assert "https://arxiv.org/abs/1707.06347" in style["external"]
    assert style["anchor"] in ("none", "normal")
    assert style["math"] == "visible" and style["mathBreak"] == "avoid"
    assert style["code"] == "pre-wrap" and style["codeBreak"] == "avoid"
    assert style["text"] == "rgb(0, 0, 0)"
    assert style["background"] == "rgb(255, 255, 255)"
    # Wrapped code stays inside the page's width.
    overflow = page.evaluate(
        "() => { const pre = document.querySelector('.note-body pre');"
        " return pre.scrollWidth - pre.clientWidth; }"
    )
    assert overflow <= 1
