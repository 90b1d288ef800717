import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Category
from tests.admin_forms import change_form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")


def add_form_data(staff, **overrides):
    # Five minutes ago in the site's time zone, date and time alike (also just after midnight).
    earlier = timezone.localtime() - timezone.timedelta(minutes=5)
    return {
        "title": "GRPO：组相对策略优化",
        "slug": "grpo",
        "category": Category.objects.get(slug="rl").pk,
        "tags": "强化学习，GRPO、RLHF；LLM",
        "body": "## 概述\n\nGRPO 用组内平均回报 \\(\\bar r\\) 作基线。",
        "status": "published",
        "published_at_0": earlier.strftime("%Y-%m-%d"),
        "published_at_1": earlier.strftime("%H:%M:%S"),
        "author": staff.pk,
        "summary": "",
        **overrides,
    }


def test_staff_creates_article_through_admin_and_it_appears_on_home(staff_client, staff):
    response = staff_client.post(ADD_URL, add_form_data(staff))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="grpo")
    assert sorted(article.tags.names()) == ["GRPO", "LLM", "RLHF", "强化学习"]
    assert article.body_html  # rendered at save
    home = staff_client.get("/").content.decode()
    assert "GRPO：组相对策略优化" in home


def test_scheduled_article_from_admin_stays_hidden(staff_client, staff):
    tomorrow = timezone.localtime() + timezone.timedelta(days=1)
    data = add_form_data(staff, slug="later", published_at_0=tomorrow.strftime("%Y-%m-%d"))
    assert staff_client.post(ADD_URL, data).status_code == 302
    client = Client()  # anonymous
    assert "GRPO" not in client.get("/").content.decode()
    assert client.get("/articles/later/").status_code == 404


def test_invalid_submission_shows_errors_and_stores_nothing(staff_client, staff):
    response = staff_client.post(ADD_URL, add_form_data(staff, title="", category="999999"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"title", "category"} <= set(errors)
    assert not Article.objects.exists()


def test_duplicate_slug_is_a_form_error(staff_client, staff, article):
    response = staff_client.post(ADD_URL, add_form_data(staff, slug=article.slug))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


def test_add_form_prefills_slug_and_author(staff_client, staff):
    response = staff_client.get(ADD_URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "prepopulated_fields" in page or "data-prepopulated-field" in page
    assert response.context["adminform"].form.initial["author"] == staff.pk
    assert "markdownx" in page


def test_changelist_columns_filters_search_and_hierarchy(staff_client, article, hidden_articles):
    response = staff_client.get(CHANGELIST_URL)
    assert response.status_code == 200
    cl = response.context["cl"]
    assert list(cl.list_display)[1:] == [
        "title",
        "category",
        "status",
        "published_at",
        "author",
        "is_published",
    ]
    assert cl.date_hierarchy == "published_at"
    filtered = staff_client.get(CHANGELIST_URL, {"status__exact": "draft"})
    assert [a.slug for a in filtered.context["cl"].result_list] == ["hidden-draft"]
    by_tag = staff_client.get(CHANGELIST_URL, {"tags__id__exact": article.tags.first().pk})
    assert article in by_tag.context["cl"].result_list
    by_category = staff_client.get(CHANGELIST_URL, {"category__id__exact": article.category.pk})
    assert article in by_category.context["cl"].result_list


def test_bulk_publish_and_unpublish(staff_client, hidden_articles, article):
    draft = hidden_articles[0]
    staff_client.post(
        CHANGELIST_URL, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    draft.refresh_from_db()
    assert draft.is_published()
    staff_client.post(CHANGELIST_URL, {"action": "unpublish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_change_form_has_view_on_site(staff_client, article):
    response = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    assert reverse(
        "admin:view_on_site", args=[response.context["content_type_id"], article.pk]
    ) in (response.content.decode())


def test_deleting_a_category_in_use_is_refused_cleanly(staff_client, article):
    url = reverse("admin:articles_category_delete", args=[article.category.pk])
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert response.context["protected"]  # Django's "cannot delete" page lists the notes
    assert Category.objects.filter(pk=article.category.pk).exists()


@pytest.mark.parametrize("url", ["/markdownx/markdownify/", "/markdownx/upload/"])
def test_editor_endpoints_refuse_anonymous_users(client, url):
    response = client.post(url, {"content": "**x**"})
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"]


def test_editor_preview_endpoint_refuses_non_staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    response = client.post("/markdownx/markdownify/", {"content": "**x**"})
    assert response.status_code in (302, 403)


def test_preview_renders_for_staff(staff_client):
    response = staff_client.post("/markdownx/markdownify/", {"content": "**重点**"})
    assert response.status_code == 200
    assert "<strong>重点</strong>" in response.content.decode()


def test_edit_keeps_created_at_and_updates_rendering(staff_client, staff):
    note = ArticleFactory(author=staff, body="旧的正文")
    url = reverse("admin:articles_article_change", args=[note.pk])
    data = change_form_data(staff_client, note, body="新的**正文**", tags="x")
    assert staff_client.post(url, data).status_code == 302
    note.refresh_from_db()
    assert "<strong>正文</strong>" in note.body_html
