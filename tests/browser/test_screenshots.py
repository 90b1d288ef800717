"""The README's screenshots: the home page and a note of the demo content, both themes.

They land in test-artifacts/ (``readme-*.png``); docs/screenshots/ holds the copies the README
shows. Refresh them after a visible change: ``bin/test tests/browser/test_screenshots.py``,
then copy test-artifacts/readme-*.png into docs/screenshots/.
"""

import pytest
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS

# serialized_rollback: the demo needs the default categories of the data migration back.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_demo_home_and_note(page, theme):
    call_command("load_demo", verbosity=0)
    page.emulate_media(color_scheme=theme)
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto("/")
    assert page.locator(".card, article").count() >= 5
    page.screenshot(path=str(ARTIFACTS / f"readme-home-{theme}.png"))
    page.goto("/articles/ppo-clipped-objective/")
    page.wait_for_selector(".katex")
    page.screenshot(path=str(ARTIFACTS / f"readme-note-{theme}.png"))
