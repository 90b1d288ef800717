"""Review in the admin: the counts (index, panel), the waiting list, the notes list's review
filter, and each step in the note's History and the audit trail."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from articles.models import Article
from editorial.models import AuditEntry
from review.models import ReviewRequest
from tests.factories import ArticleFactory
from tests.factories_review import change_page, contributor, decide, editor, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    return contributor()


@pytest.fixture
def chief():
    return editor()


@pytest.fixture
def draft(writer):
    return ArticleFactory(title="值函数草稿", author=writer, draft=True, published_at=None)


def test_the_editor_sees_the_decision_buttons_and_the_count(client, writer, chief, draft):
    submit(client, writer, draft)
    ArticleFactory(draft=True, author=writer, title="另一篇")
    submit(client, writer, Article.objects.get(title="另一篇"))
    client.force_login(chief)
    page = client.get(change_page(draft)).content.decode()
    assert 'id="review-approve-button"' in page and 'id="review-send-back-button"' in page
    assert "2 notes waiting for review" in page
    index = client.get(reverse("admin:index")).content.decode()
    assert 'id="review-waiting"' in index and "2 notes waiting for review" in index
    client.force_login(writer)
    assert 'id="review-waiting"' not in client.get(reverse("admin:index")).content.decode()


def test_the_waiting_list_defaults_to_pending(client, writer, chief, draft):
    submit(client, writer, draft)
    done = ArticleFactory(draft=True, author=writer, title="已处理的笔记")
    submit(client, writer, done)
    decide(client, chief, ReviewRequest.objects.get(article=done), back=True, comment="再改改")
    client.force_login(chief)
    url = reverse("admin:review_reviewrequest_changelist")
    page = client.get(url).content.decode()
    assert "值函数草稿" in page and "已处理的笔记" not in page
    page = client.get(url, {"state": "all"}).content.decode()
    assert "值函数草稿" in page and "已处理的笔记" in page
    page = client.get(url, {"state": "sent_back"}).content.decode()
    assert "值函数草稿" not in page and "已处理的笔记" in page
    client.force_login(writer)
    assert client.get(url).status_code == 403


def test_the_notes_list_filters_by_review_state(client, writer, chief, draft):
    submit(client, writer, draft)
    back = ArticleFactory(draft=True, author=writer, title="退回的笔记")
    submit(client, writer, back)
    decide(client, chief, ReviewRequest.objects.get(article=back), back=True, comment="改")
    ArticleFactory(draft=True, author=writer, title="从未提交")
    client.force_login(chief)
    url = reverse("admin:articles_article_changelist")
    expected = {
        "pending": "值函数草稿",
        "sent_back": "退回的笔记",
        "none": "从未提交",
    }
    for value, title in expected.items():
        response = client.get(url, {"review": value})
        assert response.status_code == 200
        shown = {a.title for a in response.context["cl"].result_list}
        assert title in shown, value
        assert shown & (set(expected.values()) - {title}) == set(), value


def test_each_step_is_in_the_notes_admin_history(client, writer, chief, draft):

    submit(client, writer, draft)
    decide(client, chief, ReviewRequest.objects.get(), back=True, comment="再想想")
    entries = LogEntry.objects.filter(object_id=str(draft.pk)).order_by("action_time", "pk")
    assert [(e.user, e.change_message) for e in entries] == [
        (writer, "Submitted for review."),
        (chief, "Sent back to the writer."),
    ]
    # The audit trail (editorial) records them from the admin log.
    audited = AuditEntry.objects.filter(object_id=str(draft.pk), action=AuditEntry.Action.CHANGE)
    assert sorted(audited.values_list("username", "summary")) == [
        ("chief", "Sent back to the writer."),
        ("contributor", "Submitted for review."),
    ]
