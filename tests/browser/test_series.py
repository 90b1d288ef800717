"""Series navigation, the archive index and the list pages' sidebar, in a real Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, CategoryFactory
from tests.factories_series import SeriesFactory, SeriesPartFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def series_site(transactional_db):
    """A series of three published parts (and a draft between them), plus a few other notes."""
    category = CategoryFactory(name="强化学习", slug="rl")
    series = SeriesFactory(title="强化学习基础", slug="rl-basics", description="从 MDP 到 PPO。")
    now = timezone.now()
    titles = ["马尔可夫决策过程", "价值迭代", "草稿：蒙特卡洛", r"策略梯度 $\nabla_\theta J$"]
    parts = []
    for position, title in enumerate(titles):
        draft = title.startswith("草稿")
        article = ArticleFactory(
            title=title,
            category=category,
            tags=["强化学习", "RL"],
            published_at=None if draft else now - timedelta(days=10 - position),
            draft=draft,
        )
        SeriesPartFactory(series=series, article=article, position=position)
        parts.append(article)
    for n in range(3):
        ArticleFactory(category=CategoryFactory(name=f"分类 {n}", slug=f"c{n}"), tags=["其他"])
    return series, parts


def test_series_navigation_by_next_and_the_parts_list(page, series_site, axe_violations):
    series, (first, second, _, fourth) = series_site
    page.goto(first.get_absolute_url())
    box = page.locator(".series-nav")
    assert "第 1 篇，共 3 篇" in box.inner_text()
    assert box.locator('[aria-current="page"]').inner_text() == first.title
    assert "草稿" not in box.inner_text()
    assert axe_violations(page) == []

    page.locator(".series-pager a.series-next").click()
    page.wait_for_url(f"**{second.get_absolute_url()}")
    assert "第 2 篇，共 3 篇" in page.locator(".series-nav").inner_text()

    page.locator(".series-pager a.series-next").click()
    page.wait_for_url(f"**{fourth.get_absolute_url()}")
    assert "第 3 篇，共 3 篇" in page.locator(".series-nav").inner_text()
    assert page.locator(".series-pager a.series-next").count() == 0
    # The formula in the part's title is typeset in the list.
    assert page.locator('.series-nav [aria-current="page"] .katex').count() == 1

    page.locator(".series-pager a.series-previous").click()
    page.wait_for_url(f"**{second.get_absolute_url()}")
    page.locator("#series-nav-title").click()
    page.wait_for_url(f"**{series.get_absolute_url()}")
    assert page.locator("h1").inner_text() == "强化学习基础"
    assert page.locator(".series-parts-list > li").count() == 3
    assert axe_violations(page) == []


def test_series_index_and_archive_index_pass_axe(page, series_site, axe_violations):
    page.goto("/")
    page.locator(".site-header").get_by_role("link", name="系列").click()
    page.wait_for_url("**/series/")
    assert page.locator(".series-list li").count() == 1
    assert axe_violations(page) == []

    page.locator(".site-footer").get_by_role("link", name="归档").click()
    page.wait_for_url("**/archive/")
    assert page.locator(".archive-year").count() >= 1
    assert axe_violations(page) == []

    page.locator(".archive-year h2 a").first.click()
    page.wait_for_url("**/archive/*/")
    assert page.locator(".reader-sidebar").count() == 1
    assert axe_violations(page) == []

    page.go_back()
    page.locator(".archive-months a").first.click()
    page.wait_for_url("**/archive/*/*/")
    assert page.locator('.breadcrumbs [aria-current="page"]').inner_text().endswith("月")
    assert axe_violations(page) == []


def test_a_notes_date_leads_to_its_month(page, series_site, axe_violations):
    _, (first, *_) = series_site
    page.goto(first.get_absolute_url())
    when = timezone.localtime(first.published_at)
    page.locator("a.note-date").click()
    page.wait_for_url(f"**/archive/{when:%Y}/{when:%m}/")
    assert page.locator(f'a[href="{first.get_absolute_url()}"]').count() >= 1
    assert axe_violations(page) == []


@pytest.mark.parametrize("list_url", ["/", "/categories/rl/"])
def test_sidebar_beside_the_stream_on_desktop_and_below_on_phones(
    context, series_site, axe_violations, list_url
):
    page = context.new_page()
    page.goto(list_url)
    stream = page.locator(".stream-list").first.bounding_box()
    sidebar = page.locator(".reader-sidebar").bounding_box()
    assert sidebar["x"] >= stream["x"] + stream["width"]  # to the right
    assert sidebar["y"] < stream["y"] + stream["height"]  # beside, not below
    assert page.locator(".reader-sidebar").get_by_role("link", name="RSS", exact=True).count() == 1
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(list_url)
    stream = page.locator(".stream-list").first.bounding_box()
    sidebar = page.locator(".reader-sidebar").bounding_box()
    assert sidebar["y"] >= stream["y"] + stream["height"]  # below the stream
    assert sidebar["x"] + sidebar["width"] <= 390  # no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []


def test_search_page_with_the_series_filter_passes_axe(page, series_site, axe_violations):
    page.goto("/search/?q=价值迭代")
    page.select_option("#search-page-series", "rl-basics")
    page.locator(".search-page-form button[type=submit]").click()
    page.wait_for_url("**series=rl-basics**")
    assert page.locator(".search-results .card").count() == 1
    assert axe_violations(page) == []
