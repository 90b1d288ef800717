"""The Content-Security-Policy breaks nothing: reader pages and the admin editor, in Chromium."""

import base64
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.factories import ArticleFactory, CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DROP_IMAGE = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], "plot.png", { type: "image/png" }));
  document.querySelector("#id_body").dispatchEvent(
    new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true })
  );
}"""


@pytest.fixture
def csp_violations(page):
    """Chromium reports every blocked script, style, image, font or request on the console."""
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and violations.append(message.text)
        ),
    )
    return violations


def _png_base64():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_reader_pages_run_under_the_policy(page, csp_violations):
    note = ArticleFactory(
        slug="kl",
        body=r"## 概述" + "\n\n" + r"$$ D_{KL}(p\|q) = \sum_x p(x) \log \frac{p(x)}{q(x)} $$",
    )
    for url in ["/", note.get_absolute_url(), note.category.get_absolute_url(), "/no-such/"]:
        page.goto(url)
        page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.dataset.theme") in ("light", "dark")
    page.goto(note.get_absolute_url())
    assert page.locator(".katex").count() >= 1
    assert csp_violations == []


def test_admin_editor_previews_and_uploads_under_the_policy(
    editor_page, csp_violations, settings, tmp_path
):
    page = editor_page
    settings.MEDIA_ROOT = tmp_path
    CategoryFactory(name="RL", slug="rl")
    page.goto("/admin/articles/article/add/")

    page.fill("#id_body", r"优势 \( A_i = \frac{r_i - \mu}{\sigma} \)")
    page.wait_for_selector(".markdownx-preview .katex")

    page.evaluate(DROP_IMAGE, _png_base64())
    expect(page.locator("#id_body")).to_have_value(re.compile(r"!\[\]\("))
    assert list(tmp_path.rglob("*.png")), "the dropped image was not stored"
    page.wait_for_selector(".markdownx-preview img")
    assert csp_violations == []
