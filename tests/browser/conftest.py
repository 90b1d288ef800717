"""Real-browser fixtures: Playwright's Python package driving Debian's Chromium.

Never `playwright install`. Without /usr/bin/chromium the browser tests are skipped, unless
REQUIRE_BROWSER=1 (CI), which makes them fail.
"""

import os
from pathlib import Path

import pytest

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


@pytest.fixture
def context(browser, live_server):
    """A fresh browser profile per test (own localStorage), recording every request's URL."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.requested_urls = []
    context.on("request", lambda request: context.requested_urls.append(request.url))
    yield context
    context.close()


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
