"""Editing safely in a real Chromium: two editors on one note, autosave after a closed tab,
and how the change form, the conflict page and the History look (light and dark)."""

import time

import pytest
from playwright.sync_api import expect

from articles.models import Article, Autosave
from articles.revisions import history
from articles.services import save_article
from tests.factories import ArticleFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "## 概述\n\nDPO 把偏好学习写成分类损失：\\(\\sigma(\\beta \\log \\frac{\\pi}{\\pi_{ref}})\\)。"
)


@pytest.fixture
def note(transactional_db):
    note = ArticleFactory(title="DPO：直接偏好优化", slug="dpo", body=BODY, tags=["DPO", "RLHF"])
    save_article(note)
    return note


def logged_in(browser, live_server, username, *, color_scheme="light"):
    """A browser context of its own (cookies, storage) logged into the admin as ``username``."""
    StaffFactory(username=username, first_name=username.capitalize())
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, color_scheme=color_scheme
    )
    page = context.new_page()
    log_in(page, username)
    return context, page


def close(*contexts):
    """Leave every page first: their pagehide beacons (presence, autosave) reach the server
    while the test database still exists."""
    for context in contexts:
        for page in context.pages:
            page.goto("about:blank")
    time.sleep(0.5)
    for context in contexts:
        context.close()


def change_path(note):
    return f"/admin/articles/article/{note.pk}/change/"


def wait_for(condition, timeout=8.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_two_editors_save_the_same_note_and_the_second_gets_the_conflict_page(
    browser, live_server, note, screenshot
):
    alice_context, alice = logged_in(browser, live_server, "alice")
    bob_context, bob = logged_in(browser, live_server, "bob", color_scheme="dark")
    try:
        alice.goto(change_path(note))
        bob.goto(change_path(note))
        # Bob's form names Alice, who opened the note first; nobody is blocked.
        assert "Alice" in bob.locator("#presence-notice").inner_text()
        screenshot(bob, "editing-change-form-dark")

        alice.fill("#id_body", BODY + "\n\nAlice 补充：\\(\\beta\\) 控制偏离参考策略的程度。")
        bob.fill("#id_body", BODY + "\n\nBob 补充：IPO 把损失换成平方。")
        alice.click("input[name=_continue]")
        alice.wait_for_selector(".messagelist .success")
        # The form's own POST, not a preview or autosave request that may go out meanwhile.
        with bob.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith(change_path(note))
        ) as answer:
            bob.click("input[name=_continue]")
        assert answer.value.status == 409

        assert "Bob 补充" in bob.locator(".conflict-columns").inner_text()
        assert "Alice 补充" in bob.locator(".conflict-columns").inner_text()
        assert bob.locator(".field-changes ins").count() >= 1
        screenshot(bob, "editing-conflict-dark")
        stored = Article.objects.get(pk=note.pk)
        assert "Alice 补充" in stored.body and "Bob 补充" not in stored.body
        assert "Bob 补充" in history(note.pk)[0].snapshot.body

        # Bob's text can be found in the admin: the History lists it as a conflict copy.
        alice.goto(f"/admin/articles/article/{note.pk}/history/")
        assert "Conflict copy" in alice.locator(".revision-history").inner_text()
        screenshot(alice, "editing-history-light")

        # Bob keeps his text after all: a new revision, Alice's stays in the history.
        bob.click("text=Save my text over theirs")
        bob.wait_for_selector(".messagelist .success")
        assert "Bob 补充" in Article.objects.get(pk=note.pk).body
    finally:
        close(alice_context, bob_context)


def test_closing_a_tab_mid_edit_and_reopening_offers_the_autosaved_text(
    browser, live_server, note, screenshot
):
    context, page = logged_in(browser, live_server, "alice")
    try:
        page.goto(change_path(note))
        typed = BODY + "\n\n还没保存就关掉了标签页：\\(\\mathcal{L}_{DPO}\\)。"
        page.fill("#id_body", typed)
        page.close(run_before_unload=True)  # pagehide sends the text with sendBeacon
        saved = wait_for(lambda: Autosave.objects.filter(article=note).first())
        assert saved.body == typed
        assert Article.objects.get(pk=note.pk).body == BODY  # not published

        page = context.new_page()
        page.goto(change_path(note))
        offer = page.locator("#autosave-offer")
        assert offer.is_visible()
        assert "mathcal{L}_{DPO}" in offer.locator("ins").first.inner_text()
        screenshot(page, "editing-autosave-offer-light")
        page.click("#autosave-restore")
        assert page.input_value("#id_body").replace("\r\n", "\n") == typed
        assert not offer.is_visible()
    finally:
        close(context)


def log_in(page, username):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def test_text_typed_after_the_login_expired_comes_back_after_logging_in_again(
    browser, live_server, note
):
    context, page = logged_in(browser, live_server, "alice")
    try:
        page.goto(change_path(note))
        context.clear_cookies()  # the session is gone, as when it expires
        typed = BODY + "\n\n登录过期之后打的字。"
        page.fill("#id_body", typed)
        expect(page.locator("#autosave-state")).to_contain_text("refused", timeout=15000)
        assert not Autosave.objects.exists()  # the server took nothing from a stranger

        other = context.new_page()
        log_in(other, "alice")
        other.goto(change_path(note))
        expect(other.locator("#local-offer")).to_be_visible()
        other.click("#local-restore")
        assert other.input_value("#id_body").replace("\r\n", "\n") == typed
    finally:
        close(context)


def test_typing_autosaves_every_ten_seconds(browser, live_server, note):
    context, page = logged_in(browser, live_server, "alice")
    try:
        page.goto(change_path(note))
        page.locator("#id_body").press_sequentially("打字", delay=50)
        expect(page.locator("#autosave-state")).to_contain_text("Autosaved", timeout=15000)
        assert "打字" in Autosave.objects.get(article=note).body
    finally:
        close(context)
