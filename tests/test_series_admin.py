"""The series admin: the Editor role manages series, parts are ordered notes found by
autocomplete, and a note already in a series cannot join another."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from series.models import Series
from tests.factories import ArticleFactory, UserFactory
from tests.factories_series import SeriesFactory, SeriesPartFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "may_add"), [("Editor", True), ("Author", False)])
def test_the_editor_role_manages_series(client, role, may_add):
    user = UserFactory(username=f"role-{role.lower()}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    response = client.get(reverse("admin:series_series_add"))
    assert response.status_code == (200 if may_add else 403)


def test_admin_series_forms_render_with_the_parts_inline(staff_client):
    series = SeriesFactory()
    SeriesPartFactory(series=series, article=ArticleFactory(title="SECRET-DRAFT", draft=True))
    add = staff_client.get(reverse("admin:series_series_add"))
    assert add.status_code == 200
    assert 'name="parts-0-article"' in add.content.decode()
    change = staff_client.get(reverse("admin:series_series_change", args=[series.pk]))
    html = change.content.decode()
    assert change.status_code == 200
    assert "SECRET-DRAFT" in html  # editors see and order drafts too
    assert 'class="admin-autocomplete' in html
    # A new part is offered the position after the last one.
    last = series.parts.get().position
    assert re.search(rf'name="parts-1-position" value="{last + 1}"', html)
    assert re.search(r'name="parts-0-position" value="1"', add.content.decode())


def test_admin_adds_a_series_with_ordered_parts(staff_client):
    one, two = ArticleFactory(), ArticleFactory()
    response = staff_client.post(
        reverse("admin:series_series_add"),
        {
            "title": "注意力机制",
            "slug": "",
            "description": "",
            "parts-TOTAL_FORMS": "2",
            "parts-INITIAL_FORMS": "0",
            "parts-MIN_NUM_FORMS": "0",
            "parts-MAX_NUM_FORMS": "1000",
            "parts-0-position": "2",
            "parts-0-article": str(one.pk),
            "parts-1-position": "1",
            "parts-1-article": str(two.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    series = Series.objects.get(title="注意力机制")
    assert series.slug == "注意力机制"
    assert [part.article for part in series.parts.all()] == [two, one]


def test_admin_refuses_a_note_already_in_another_series(staff_client):
    taken = SeriesPartFactory(article=ArticleFactory())
    response = staff_client.post(
        reverse("admin:series_series_add"),
        {
            "title": "另一个系列",
            "slug": "",
            "description": "",
            "parts-TOTAL_FORMS": "1",
            "parts-INITIAL_FORMS": "0",
            "parts-MIN_NUM_FORMS": "0",
            "parts-MAX_NUM_FORMS": "1000",
            "parts-0-position": "1",
            "parts-0-article": str(taken.article.pk),
        },
    )
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["article"]
    assert not Series.objects.filter(title="另一个系列").exists()


def test_admin_series_changelist_and_autocomplete(staff_client, committing):
    with committing():  # the notes' admin searches with the site's index
        SeriesPartFactory(article=ArticleFactory(title="可被找到的笔记"))
    assert staff_client.get(reverse("admin:series_series_changelist")).status_code == 200
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "可被找到",
            "app_label": "series",
            "model_name": "seriespart",
            "field_name": "article",
        },
    )
    assert response.status_code == 200
    assert "可被找到的笔记" in response.json()["results"][0]["text"]
