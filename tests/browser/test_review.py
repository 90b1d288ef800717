"""Review in a real Chromium: a contributor submits a draft, an editor sends it back with a
comment, the contributor reads it and submits again, the editor approves it, the note appears
in the home page stream and the RSS feed; a preview link opens the draft for a visitor."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from review.models import ReviewRequest
from tests.factories import ArticleFactory
from tests.factories_review import contributor, editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def log_in(page, username):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def test_a_contributor_submits_an_editor_approves_and_the_note_goes_out(
    browser, live_server, screenshot
):
    writer = contributor("guest")  # in the Contributor group
    editor("chief")
    draft = ArticleFactory(
        title="REVIEW-FLOW 策略梯度草稿",
        slug="review-flow",
        author=writer,
        draft=True,
        published_at=None,
    )
    change = f"/admin/articles/article/{draft.pk}/change/"

    writing = browser.new_context(base_url=live_server.url)
    writer_page = writing.new_page()
    log_in(writer_page, "guest")
    writer_page.goto(change)
    panel = writer_page.locator("#review-panel")
    expect(panel).to_contain_text("Not submitted for review")
    panel.locator("textarea[name='review_submit-comment']").fill("请审阅")
    panel.locator("#review-submit-button").click()
    expect(writer_page.locator("#review-state")).to_contain_text("Waiting for review")
    expect(panel.locator("#review-approve-button")).to_have_count(0)  # not theirs to decide

    reviewing = browser.new_context(base_url=live_server.url)
    page = reviewing.new_page()
    log_in(page, "chief")
    page.goto("/admin/")
    page.locator("#review-waiting a").click()
    page.get_by_role("link", name="REVIEW-FLOW 策略梯度草稿").click()
    expect(page.locator("#review-history")).to_contain_text("请审阅")
    page.locator("textarea[name='review_decision-comment']").fill("第二节缺一个例子")
    page.locator("#review-send-back-button").click()
    expect(page.locator("#review-state")).to_contain_text("Sent back")

    # The writer reads the comment on their note and submits again.
    writer_page.goto(change)
    expect(writer_page.locator("#review-sent-back-comment")).to_have_text("第二节缺一个例子")
    writer_page.locator("#review-submit-button").click()
    expect(writer_page.locator("#review-state")).to_contain_text("Waiting for review")
    writer_page.goto("about:blank")
    writing.close()

    page.reload()
    page.locator("#review-panel").scroll_into_view_if_needed()
    screenshot(page, "review-panel-editor")
    page.locator("#review-approve-button").click()
    expect(page.locator("#review-state")).to_contain_text("Approved")
    page.goto("about:blank")
    reviewing.close()

    states = ReviewRequest.objects.order_by("pk").values_list("state", flat=True)
    assert list(states) == [ReviewRequest.State.SENT_BACK, ReviewRequest.State.APPROVED]
    assert Article.objects.get(pk=draft.pk).is_published()
    visitor = browser.new_context(base_url=live_server.url)
    page = visitor.new_page()
    page.goto("/")
    expect(page.locator("main")).to_contain_text("REVIEW-FLOW 策略梯度草稿")
    feed = page.request.get("/feeds/rss/")
    assert feed.ok and "REVIEW-FLOW 策略梯度草稿" in feed.text()
    visitor.close()


def test_a_preview_link_made_in_the_panel_opens_the_draft_for_a_visitor(browser, live_server):
    writer = contributor("guest")  # in the Contributor group
    draft = ArticleFactory(
        title="PREVIEW-LINK 草稿",
        slug="preview-link",
        author=writer,
        draft=True,
        published_at=None,
        body="公式 $E=mc^2$ 在预览里排好。",
    )
    writing = browser.new_context(base_url=live_server.url)
    page = writing.new_page()
    log_in(page, "guest")
    page.goto(f"/admin/articles/article/{draft.pk}/change/")
    page.locator("#review-link-button").click()
    link = page.locator("#review-links input[readonly]")
    expect(link).to_have_count(1)
    url = link.input_value()
    page.goto("about:blank")
    writing.close()

    visitor = browser.new_context()
    page = visitor.new_page()
    response = page.goto(url)
    assert response.status == 200 and response.headers["x-robots-tag"] == "noindex"
    expect(page.locator(".draft-banner")).to_be_visible()
    expect(page.locator(".note-body .katex").first).to_be_visible()
    visitor.close()
