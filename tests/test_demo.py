import pytest
from django.core.management import call_command

from articles.models import Article, Category

pytestmark = pytest.mark.django_db


def test_load_demo_creates_a_living_site_and_is_idempotent(client):
    call_command("load_demo", verbosity=0)
    first = {a.slug: (a.pk, a.updated_at, sorted(a.tags.names())) for a in Article.objects.all()}
    call_command("load_demo", verbosity=0)
    second = {a.slug: (a.pk, a.updated_at, sorted(a.tags.names())) for a in Article.objects.all()}

    assert first == second
    assert len(first) >= 12
    assert Article.objects.published().count() == len(first)
    used = set(Article.objects.values_list("category__slug", flat=True))
    assert used >= {"rl", "generative", "llm", "systems"}
    assert Category.objects.count() == 4
    months = {a.published_at.strftime("%Y-%m") for a in Article.objects.all()}
    assert len(months) >= 4
    assert any(not slug.isascii() for slug in first)

    home = client.get("/")
    assert home.status_code == 200
    for article in Article.objects.published()[:3]:
        assert article.title in home.content.decode()
        assert client.get(article.get_absolute_url()).status_code == 200


def test_demo_notes_render_without_math_errors():
    call_command("load_demo", verbosity=0)
    for article in Article.objects.all():
        assert "math-error" not in article.body_html, article.slug
        assert "<math" in article.body_feed_html or "$" not in article.body, article.slug


def test_demo_series_put_demo_notes_in_order_and_are_idempotent(client):
    from series.models import Series, SeriesPart

    call_command("load_demo", verbosity=0)
    call_command("load_demo_series", verbosity=0)
    parts = list(SeriesPart.objects.order_by("pk").values_list("pk", "series_id", "position"))
    call_command("load_demo_series", verbosity=0)
    assert list(SeriesPart.objects.order_by("pk").values_list("pk", "series_id", "position")) == (
        parts
    )
    rl = Series.objects.get(slug="强化学习基础")
    assert [p.article.slug for p in rl.parts.order_by("position")][:2] == [
        "策略梯度入门",
        "ppo-clipped-objective",
    ]
    page = client.get(rl.parts.get(position=2).article.get_absolute_url()).content.decode()
    assert rl.title in page and "第 2 篇" in page
