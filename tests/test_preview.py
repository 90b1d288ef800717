"""The markdownx preview endpoint returns exactly the stored page body, for staff only."""

import pytest
from django.urls import reverse

from articles.rendering.sourcemap import strip_source_map
from tests.factories import ArticleFactory

TEXT = "## 概述\n\n**重点。**后文 \\( p_{\\theta}(z) \\) 与 $$x^2$$\n\n<script>alert(1)</script>\n"


@pytest.mark.django_db
def test_preview_equals_stored_body(staff_client):
    article = ArticleFactory(body=TEXT)
    response = staff_client.post(reverse("markdownx_markdownify"), {"content": TEXT})
    assert response.status_code == 200
    # The editor's source lines (data attributes) are the preview's only addition.
    assert strip_source_map(response.content.decode()) == article.body_html
    assert "data-source-line" in response.content.decode()
    assert "katex" in article.body_html and "<script" not in article.body_html


@pytest.mark.django_db
def test_preview_refuses_anonymous(client):
    response = client.post(reverse("markdownx_markdownify"), {"content": TEXT})
    assert response.status_code in (302, 403)
    assert "katex" not in response.content.decode()
