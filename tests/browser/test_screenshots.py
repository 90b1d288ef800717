"""The README's screenshots: the home page and a note of the demo content, both themes.

They land in test-artifacts/ (``readme-*.png``); docs/screenshots/ holds the copies the README
shows. Refresh them after a visible change: ``bin/test tests/browser/test_screenshots.py``,
then copy test-artifacts/readme-*.png into docs/screenshots/.
"""

from importlib import import_module

import pytest
from django.core.management import call_command

from articles.models import Category
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The demo's categories: a transactional test before this one may have flushed them.
DEFAULT_CATEGORIES = import_module("articles.migrations.0002_default_categories").DEFAULT_CATEGORIES


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_demo_home_and_note(page, theme):
    for name, slug, description, position in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    call_command("load_demo", verbosity=0)
    page.emulate_media(color_scheme=theme)
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto("/")
    assert page.locator(".card, article").count() >= 5
    page.screenshot(path=str(ARTIFACTS / f"readme-home-{theme}.png"))
    page.goto("/articles/ppo-clipped-objective/")
    page.wait_for_selector(".katex")
    page.screenshot(path=str(ARTIFACTS / f"readme-note-{theme}.png"))
