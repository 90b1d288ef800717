"""Pathological formulas and notes end in a clear error within the render's limits, never a hang.

Limits are lowered here so that each case costs about a second; docs/katex-lifecycle.md has
the production values and what each input does without them.
"""

import html
import re
import time

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles import rendering
from articles.models import Article
from articles.rendering.typesetting import DEADLINE_ERROR, _cache_key, katex
from tests.admin_forms import change_form_data, change_url
from tests.factories import ArticleFactory

# Legal LaTeX that KaTeX needs more than 20 s for: 900 expansions of a 200-symbol macro.
SLOW = r"\def\a{" + "x" * 200 + "}" + r"\a" * 900
# Deep nesting, a recursive macro, nested underbraces, a huge expansion of a long macro.
PATHOLOGICAL = {
    "deep braces": "{" * 5000 + "x" + "}" * 5000,
    "recursive macro": r"\def\a{\a\a}\a",
    "nested underbraces": r"\underbrace{" * 200 + "x" + "}_{n}" * 200,
    "slow expansion": SLOW,
}


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.RENDER_FORMULA_TIMEOUT = 0.5
    settings.RENDER_TIMEOUT = 3.0
    cache.clear()


def formula_errors(page):
    found = re.findall(r'class="math math-\w+ math-error" title="([^"]*)"', page)
    return [html.unescape(message) for message in found]


@pytest.mark.parametrize("tex", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_formula_is_bounded_and_the_rest_typeset(tex, settings):
    start = time.monotonic()
    result = rendering.render_article(f"## 概述\n\n前 $a^2$，\\[{tex}\\]，后 $b^2$。")
    # KaTeX stops at the deadline; the slack is for the Markdown and HTML around a big output
    # on a loaded machine (the suite runs other processes meanwhile).
    assert time.monotonic() - start < settings.RENDER_TIMEOUT + 5
    page = result.body_html
    assert page.count('class="katex"') >= 2, "the normal formulas around it were not typeset"
    if "underbrace" not in tex:  # valid LaTeX KaTeX can typeset within the limits
        (error,) = formula_errors(page)
        assert error


def test_a_slow_formula_is_stopped_with_its_reason(settings):
    start = time.monotonic()
    (error,) = formula_errors(rendering.render_article(f"$x$ 与 ${SLOW}$").body_html)
    assert error == "KaTeX stopped: more than 0.5 s to typeset"
    # The batch try and the formula's own try, each bounded.
    assert time.monotonic() - start < 4 * settings.RENDER_FORMULA_TIMEOUT + 1.5
    # The context survived the timeout.
    assert 'class="katex"' in rendering.render_article("$y^2$").body_html


def test_the_note_deadline_bounds_many_slow_formulas_and_is_not_cached(settings):
    body = " ".join(f"${SLOW}{i}$" for i in range(12))
    start = time.monotonic()
    page = rendering.render_article(body).body_html
    assert time.monotonic() - start < settings.RENDER_TIMEOUT + 2
    errors = formula_errors(page)
    assert len(errors) == 12
    assert DEADLINE_ERROR in errors
    untried = [f"{SLOW}{i}" for i, e in enumerate(errors) if e == DEADLINE_ERROR]
    # Not the formula's fault: typeset again on the next save, not remembered as broken.
    assert all(cache.get(_cache_key(tex, False)) is None for tex in untried)


def test_over_the_memory_limit_the_context_is_replaced(settings):
    settings.RENDER_MAX_MEMORY_MB = 16
    settings.RENDER_FORMULA_TIMEOUT = 5.0
    settings.RENDER_TIMEOUT = 20.0
    huge = r"\def\a{" + "x" * 2000 + "}" + r"\a" * 900
    (error,) = formula_errors(rendering.render_article(f"$x$ ${huge}$").body_html)
    assert error == "KaTeX stopped: more than 16 MB to typeset"
    assert 'class="katex"' in rendering.render_article("$y^2$").body_html
    katex.close()  # the next test's context gets the default heap limit from its first call


def test_preview_of_an_oversized_body_is_a_message(staff_client, settings):
    settings.BODY_MAX_LENGTH = 1000
    response = staff_client.post(reverse("markdownx_markdownify"), {"content": "长" * 1001})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'role="alert"' in text
    assert "1,001 characters long; the limit is 1,000" in text


def test_preview_of_a_two_megabyte_body_answers_at_once(staff_client):
    start = time.monotonic()
    response = staff_client.post(reverse("markdownx_markdownify"), {"content": "x" * 2_000_000})
    assert time.monotonic() - start < 2
    assert response.status_code == 200
    assert "2,000,000 characters long; the limit is 200,000" in response.content.decode()


@pytest.mark.django_db
def test_two_megabyte_body_is_refused_by_the_model_validator():
    article = ArticleFactory.build(body="x" * 2_000_000)
    with pytest.raises(ValidationError) as failure:
        article.full_clean(exclude=["author", "category"])
    assert "the limit is 200,000" in failure.value.message_dict["body"][0]


def test_admin_form_shows_the_body_error_and_stores_nothing(staff_client, settings):
    settings.BODY_MAX_LENGTH = 1000
    article = ArticleFactory(body="## 概述\n\n短的正文。")
    data = change_form_data(staff_client, article, body="长" * 1001)
    response = staff_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "the limit is 1,000" in response.content.decode()
    article.refresh_from_db()
    assert article.body == "## 概述\n\n短的正文。"
    assert Article.objects.count() == 1
