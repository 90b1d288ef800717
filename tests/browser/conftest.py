"""Real-browser fixtures: Playwright's Python package driving Debian's Chromium.

Never `playwright install`. Without /usr/bin/chromium the browser tests are skipped, unless
REQUIRE_BROWSER=1 (CI), which makes them fail.
"""

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

from tests.factories import StaffFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls in tests are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


class RequestsInFlight:
    """Counts the live server's requests between request_started and request_finished."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def started(self, **kwargs):
        with self.changed:
            self.count += 1

    def finished(self, **kwargs):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_idle(self, settle=0.2, timeout=10):
        """Return once no request has run for `settle` seconds (or after `timeout`)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while time.monotonic() < deadline:
                if self.count <= 0 and not self.changed.wait(settle):
                    return
                self.changed.wait(0.05)


@pytest.fixture(scope="session")
def requests_in_flight():
    tracker = RequestsInFlight()
    request_started.connect(tracker.started, dispatch_uid="browser-tests-started")
    request_finished.connect(tracker.finished, dispatch_uid="browser-tests-finished")
    yield tracker
    request_started.disconnect(dispatch_uid="browser-tests-started")
    request_finished.disconnect(dispatch_uid="browser-tests-finished")


@pytest.fixture
def context(browser, live_server, requests_in_flight):
    """A fresh browser profile per test (own localStorage), recording every request's URL.

    On teardown the pages leave for about:blank (stopping their timers: autosave, presence,
    preview) and the live server's last requests finish before the database is flushed: on
    PostgreSQL a request still writing deadlocks with the flush's TRUNCATE.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.requested_urls = []
    context.on("request", lambda request: context.requested_urls.append(request.url))
    yield context
    for page in context.pages:
        page.goto("about:blank")
    context.close()
    requests_in_flight.wait_until_idle()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def editor_page(page):
    """``page``, logged into the admin as a staff member."""
    StaffFactory(username="editor")
    page.goto("/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    return page


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/ (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return save


@pytest.fixture
def axe_violations():
    """Run axe-core in the page; return its violations of any impact (the issue asks for no
    serious or critical ones; the pages have none of the others either, so keep it that way)."""

    def run(page):
        # Evaluated through the DevTools protocol: an injected <script> would be blocked by our CSP.
        page.evaluate(AXE.read_text())
        results = page.evaluate("async () => await axe.run(document)")
        return results["violations"]

    return run
