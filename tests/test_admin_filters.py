"""The note list for many notes: filters (status, publication incl. scheduled, category, author),
a date hierarchy, scheduled notes by when they go out; the slug made by the server."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from articles.models import Article
from editorial.roles import AUTHOR, EDITOR
from tests.admin_forms import rendered_form_data
from tests.factories import ArticleFactory, CategoryFactory
from tests.factories_roles import note_of, role_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def notes(db):
    now = timezone.now()
    return {
        "live": ArticleFactory(title="live", published_at=now - timedelta(days=2)),
        "later": ArticleFactory(title="later", published_at=now + timedelta(days=3)),
        "soon": ArticleFactory(title="soon", published_at=now + timedelta(hours=2)),
        "draft": ArticleFactory(title="draft", draft=True, published_at=None),
    }


def titles(response):
    return [article.title for article in response.context["cl"].result_list]


def test_the_publication_filter_lists_scheduled_notes_soonest_first(notes):
    client = login(role_user(EDITOR))
    assert titles(client.get(CHANGELIST, {"publication": "scheduled"})) == ["soon", "later"]
    assert titles(client.get(CHANGELIST, {"publication": "live"})) == ["live"]
    assert titles(client.get(CHANGELIST, {"publication": "draft"})) == ["draft"]
    page = client.get(CHANGELIST, {"publication": "scheduled"}).text
    language = re.search(r'<html lang="([^"]+)"', page).group(1)
    with translation.override(language):  # as the list shows it
        shown = formats.localize(timezone.template_localtime(notes["soon"].published_at))
    assert shown in page
    # A column sort still wins over the filter's order.
    ordered = client.get(CHANGELIST, {"publication": "scheduled", "o": "-4"})
    assert titles(ordered) == ["later", "soon"]


def test_status_category_and_date_hierarchy(notes):
    client = login(role_user(EDITOR))
    category = notes["live"].category
    assert titles(client.get(CHANGELIST, {"category__id__exact": category.pk})) == ["live"]
    assert titles(client.get(CHANGELIST, {"status__exact": "draft"})) == ["draft"]
    day = timezone.localtime(notes["live"].published_at)
    by_day = client.get(
        CHANGELIST,
        {
            "published_at__year": day.year,
            "published_at__month": day.month,
            "published_at__day": day.day,
        },
    )
    assert titles(by_day) == ["live"] and by_day.context["cl"].date_hierarchy == "published_at"


def test_the_author_filter_is_an_editors():
    editor, author = role_user(EDITOR), role_user(AUTHOR)
    note_of(author, title="mine")
    note_of(editor, title="the editor's")
    editor_filters = [f.title for f in login(editor).get(CHANGELIST).context["cl"].filter_specs]
    author_filters = [f.title for f in login(author).get(CHANGELIST).context["cl"].filter_specs]
    assert "author" in editor_filters and "author" not in author_filters
    by_author = login(editor).get(CHANGELIST, {"author__id__exact": author.pk})
    assert titles(by_author) == ["mine"]


def test_the_slug_is_not_copied_from_the_title_but_made_readable_by_the_server():
    editor = role_user(EDITOR)
    client = login(editor)
    add = reverse("admin:articles_article_add")
    page = client.get(add)
    assert 'data-prepopulated-fields="[]"' in page.text  # no in-browser copy of raw LaTeX
    data = rendered_form_data(page)
    category = CategoryFactory()
    title = r"策略梯度 $\nabla_\theta J(\theta)$"
    data.update(title=title, body="正文", category=str(category.pk), slug="")
    assert client.post(add, data).status_code == 302
    slug = Article.objects.get(title=title).slug
    assert "\\" not in slug and "$" not in slug and slug.startswith("策略梯度")


def test_the_series_filter_lists_a_series_notes():
    from series.models import Series, SeriesPart

    client = login(role_user(EDITOR))
    inside, outside = ArticleFactory(title="inside"), ArticleFactory(title="outside")
    series = Series.objects.create(title="强化学习入门", slug="rl-intro")
    Series.objects.create(title="扩散模型", slug="diffusion")  # one choice shows no filter
    SeriesPart.objects.create(series=series, article=inside, position=1)
    listing = client.get(CHANGELIST, {"series_part__series__id__exact": series.pk})
    assert titles(listing) == ["inside"] and outside.title not in titles(listing)
