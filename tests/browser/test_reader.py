"""The reader experience and the author's round trip, in a real Chromium."""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILLER = "策略梯度方法直接对参数化策略做梯度上升，不需要先学价值函数。" * 12

# Every delimiter form: \( \), $ $, \[ \] with \tag, $$ $$, and aligned inside $$ with \tag.
MATH_BODY = r"""## 概述

目标写成 \( J(\theta) = \mathbb{E}_{\tau\sim\pi_\theta}[R(\tau)] \)，
梯度记作 $\nabla_\theta J$。PPO 的完整目标（卡片摘要里也有，窄屏上只能在卡片内横向滚动）：
\[ L(\theta)=\mathbb{E}_t\Big[\min\big(r_t(\theta)\hat A_t,\
   \mathrm{clip}(r_t(\theta),1-\epsilon,1+\epsilon)\hat A_t\big)
   -c_1\big(V_\theta(s_t)-\hat R_t\big)^2+c_2\,\mathcal{H}[\pi_\theta](s_t)\Big] \]

FILLER

## 推导

\[ \nabla_\theta J(\theta)
   = \mathbb{E}[\nabla_\theta \log \pi_\theta(a \mid s) A(s,a)] \tag{1} \]

$$ \mathrm{Attention}(Q,K,V) = \mathrm{softmax}\left(\frac{QK^T}{\sqrt{d_k}}\right)V $$

$$
\begin{aligned}
L &= \|x - \hat{x}\|^2 \\
  &= \sum_i (x_i - \hat{x}_i)^2
\end{aligned} \tag{2}
$$

FILLER

## 代码

```python
def advantage(rewards, values):
    return [r - v for r, v in zip(rewards, values)]
```

FILLER

## 小结

FILLER
""".replace("FILLER", FILLER)


@pytest.fixture
def site(transactional_db):
    """A small living site: a math-heavy note with a TOC, neighbours sharing its tags."""
    rl = CategoryFactory(name="RL", slug="rl")
    llm = CategoryFactory(name="LLM", slug="llm")
    for n in range(4):
        ArticleFactory(category=llm, tags=["Transformer"], title=f"注意力机制笔记 {n}")
    note = ArticleFactory(
        title="策略梯度：从 REINFORCE 到 PPO",
        slug="策略梯度",
        category=rl,
        body=MATH_BODY,
        tags=["策略梯度", "PPO"],
    )
    ArticleFactory(category=rl, tags=["PPO"], title="PPO 的裁剪目标")
    return {"note": note, "category": rl}


def cross_origin_requests(context, live_server):
    """URLs the page requested from anywhere but the site itself (fonts, CDNs, trackers)."""
    origin = urlsplit(live_server.url).netloc
    return [url for url in context.requested_urls if urlsplit(url).netloc not in (origin, "")]


def reader_pages(site):
    published = timezone.localtime(site["note"].published_at)
    return {
        "home": "/",
        "article": site["note"].get_absolute_url(),
        "category": site["category"].get_absolute_url(),
        "tag": "/tags/ppo/",
        "archive": f"/archive/{published:%Y}/{published:%m}/",
        "search": "/search/?q=PPO",
    }


def test_home_page_shows_the_stream(page, context, live_server, site):
    page.goto("/")
    assert page.locator(".hero").inner_text().count("INCOMING TRANSMISSION") == 1
    cards = page.locator("main .card")
    assert cards.count() == 6
    first = cards.first
    assert first.locator(".badge").inner_text() == "RL"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first.locator("time").inner_text())
    assert first.locator(".card-title a").inner_text() == "PPO 的裁剪目标"
    assert first.locator(".card-summary").inner_text().strip()
    assert cross_origin_requests(context, live_server) == []
    assert context.cookies() == []


def test_article_typesets_math_and_its_toc_links_jump(page, context, live_server, site):
    page.goto(site["note"].get_absolute_url())
    body = page.locator(".note-body")
    assert body.locator(".katex").count() >= 5
    assert body.locator(".katex-display").count() >= 3
    text = body.inner_text()
    for raw in ("\\(", "\\[", "$$", "\\begin{aligned}"):
        assert raw not in text
    assert page.locator(".note-meta").inner_text().count("分钟") == 1

    links = page.locator(".toc a")
    assert links.count() >= 4
    last = links.last
    target = last.get_attribute("href")
    assert target.startswith("#")
    last.click()
    page.wait_for_function("window.scrollY > 0")
    assert page.evaluate("decodeURIComponent(location.hash)") == target
    top = page.locator(f"[id='{target[1:]}']").evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < 200

    assert page.locator(".code-block .copy-button").count() == 1
    assert page.locator(".related a").count() >= 1
    assert cross_origin_requests(context, live_server) == []


def test_theme_toggle_is_keyboard_usable_and_persists(page, site):
    page.emulate_media(color_scheme="light")
    page.goto("/")
    html = page.locator("html")
    toggle = page.locator(".theme-toggle")
    assert html.get_attribute("data-theme") == "light"
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    assert html.get_attribute("data-theme") == "dark"
    assert toggle.get_attribute("aria-pressed") == "true"

    page.goto(site["note"].get_absolute_url())
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 20, 24)"


def test_os_dark_preference_applies_before_paint(page, site):
    page.emulate_media(color_scheme="dark")
    page.goto("/", wait_until="commit")
    page.wait_for_selector("body")
    assert page.locator("html").get_attribute("data-theme") == "dark"


def test_no_page_scrolls_sideways_at_360px(page, site):
    page.set_viewport_size({"width": 360, "height": 740})
    for name, url in {**reader_pages(site), "categories": "/categories/"}.items():
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} ({url}) overflows by {overflow}px at 360px"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_no_violations_and_screenshots(
    page, context, live_server, site, theme, axe_violations, screenshot
):
    page.emulate_media(color_scheme=theme)
    for name, url in reader_pages(site).items():
        page.goto(url)
        assert page.locator("html").get_attribute("data-theme") == theme
        screenshot(page, f"{name}-{theme}")
        violations = axe_violations(page)
        summary = [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
        assert violations == [], f"{name} ({theme}): {summary}"
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(site["note"].get_absolute_url())
    screenshot(page, f"article-{theme}-360")
    assert cross_origin_requests(context, live_server) == []


def test_author_writes_previews_publishes_and_finds_the_note(editor_page, live_server):
    page = editor_page
    CategoryFactory(name="RL", slug="rl")
    page.goto("/admin/articles/article/add/")

    page.fill("#id_title", "浏览器里写的 GRPO 笔记")
    page.fill("#id_slug", "browser-grpo")
    page.click("#id_category + .select2 .select2-selection")
    page.fill(".select2-search__field", "RL")
    page.click(".select2-results__option:has-text('RL')")
    page.fill("#id_tags", "GRPO, 强化学习")

    page.fill("#id_body", "## 概述\n\n![](/static/none.png)\n")
    page.wait_for_selector(".alt-text-warning:not([hidden])")

    author_body = r"GRPO 的优势 \( A_i = \frac{r_i - \mu}{\sigma} \)。" + "\n\n$$ A_i $$\n"
    page.fill("#id_body", author_body)
    page.wait_for_selector(".markdownx-preview .katex")
    assert page.locator(".alt-text-warning").is_hidden()
    assert "\\(" not in page.locator(".markdownx-preview").inner_text()

    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    page.goto("/")
    assert page.locator(".card-title a", has_text="浏览器里写的 GRPO 笔记").count() == 1
    feed = page.request.get("/feeds/rss/")
    assert feed.ok
    assert "浏览器里写的 GRPO 笔记" in feed.text()


def test_skip_link_is_the_first_tab_stop_and_focus_is_visible(page, site):
    page.goto("/")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el.getBoundingClientRect().bottom") <= 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.evaluate("el => el.getBoundingClientRect().top") >= 0
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
