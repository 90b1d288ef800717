"""Review: submit, withdraw, approve now or at a time, send back with a comment, resubmit;
each step recorded, emails after commit; refused steps change nothing."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from editorial.models import AuditEntry
from review.models import ReviewRequest, ReviewStep
from tests.factories import ArticleFactory
from tests.factories_review import change_page, contributor, decide, editor, post_as, submit

State = ReviewRequest.State
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


def test_submit_records_the_step_and_mails_the_editors(
    client, writer, chief, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, writer, draft, comment="请看第二节的推导")
    assert response.status_code == 302
    assert response["Location"].startswith(change_page(draft))
    review = ReviewRequest.objects.get(article=draft)
    assert review.state == State.PENDING and review.submitted_by == writer
    assert review.submitted_version == draft.version
    [step] = review.steps.all()
    assert (step.action, step.actor, step.comment, step.resulting_state) == (
        ReviewStep.Action.SUBMITTED,
        writer,
        "请看第二节的推导",
        State.PENDING,
    )
    [message] = mail.outbox
    assert message.to == [chief.email]
    assert "值函数草稿" in message.subject
    assert "请看第二节的推导" in message.body
    assert f"http://testserver{change_page(draft)}" in message.body


def test_no_mail_when_the_step_rolls_back(client, writer, chief, draft, monkeypatch):
    from review import services

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_record", broken)
    client.raise_request_exception = False
    assert submit(client, writer, draft).status_code == 500
    assert not ReviewRequest.objects.exists()
    assert mail.outbox == []


def test_double_submit_is_refused_and_stores_one_request(client, writer, draft):
    submit(client, writer, draft)
    response = submit(client, writer, draft)
    assert response.status_code == 409
    assert "already waiting for review" in response.content.decode()
    assert ReviewRequest.objects.count() == 1 and ReviewStep.objects.count() == 1


def test_a_published_note_cannot_be_submitted(client, writer, chief):
    note = ArticleFactory(author=writer)
    assert submit(client, writer, note).status_code == 403  # no longer the writer's to change
    assert submit(client, chief, note).status_code == 409
    assert not ReviewRequest.objects.exists()


def test_someone_elses_draft_cannot_be_submitted(client, writer):
    other = ArticleFactory(draft=True)
    assert submit(client, writer, other).status_code == 403
    assert not ReviewRequest.objects.exists()


def test_approve_publishes_through_save_article_and_mails_the_writer(
    client, writer, chief, draft, django_capture_on_commit_callbacks
):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    versions = Version.objects.get_for_object(draft).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, chief, review)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published()
    assert draft.published_at <= timezone.now()
    assert Version.objects.get_for_object(draft).count() == versions + 1
    review.refresh_from_db()
    assert (review.state, review.decided_by) == (State.APPROVED, chief)
    assert review.steps.last().action == ReviewStep.Action.APPROVED
    [message] = mail.outbox
    assert message.to == [writer.email]
    assert "published" in message.subject
    # The home page stream lists it now.
    client.logout()
    assert "值函数草稿" in client.get("/").content.decode()


def test_approve_at_a_time_schedules_the_note(client, writer, chief, draft):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    when = timezone.localtime() + timedelta(days=2)
    response = decide(client, chief, review, publish_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED and not draft.is_published()
    assert draft.published_at == when.replace(second=0, microsecond=0)
    review.refresh_from_db()
    assert review.state == State.SCHEDULED
    assert review.steps.last().publish_at == draft.published_at


def test_a_publication_time_in_the_past_is_refused(client, writer, chief, draft):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert decide(client, chief, review, publish_at=past).status_code == 409
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert ReviewRequest.objects.get().state == State.PENDING


def test_bad_input_is_a_400_and_changes_nothing(client, writer, chief, draft):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    assert decide(client, chief, review, publish_at="明天").status_code == 400
    response = decide(client, chief, review, back=True, comment="   ")
    assert response.status_code == 400
    assert "Say what the writer should change" in response.content.decode()
    assert ReviewRequest.objects.get().state == State.PENDING
    assert ReviewStep.objects.count() == 1


def test_a_contributor_cannot_approve_or_send_back(client, writer, draft):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    assert decide(client, writer, review).status_code == 403
    assert decide(client, writer, review, back=True, comment="自己退回").status_code == 403
    forbidden = AuditEntry.objects.filter(
        action=AuditEntry.Action.FORBIDDEN, username="contributor"
    )
    assert forbidden.count() == 2  # both attempts are in the audit trail
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert ReviewRequest.objects.get().state == State.PENDING
    assert ReviewStep.objects.count() == 1


def test_the_endpoints_take_only_logged_in_posts(client, writer, chief, draft):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    client.logout()
    url = reverse("admin:review_approve", args=[review.pk])
    response = client.post(url, {"review_decision-version": draft.version})
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(chief)
    assert client.get(url).status_code == 405
    assert ReviewRequest.objects.get().state == State.PENDING


def test_a_forged_post_without_csrf_token_is_refused(writer, chief, draft):
    from django.test import Client

    submit(Client(), writer, draft)
    review = ReviewRequest.objects.get()
    csrf_client = Client(enforce_csrf_checks=True)
    response = decide(csrf_client, chief, review)
    assert response.status_code == 403
    assert ReviewRequest.objects.get().state == State.PENDING


def test_approving_what_is_no_longer_pending_is_refused(client, writer, chief, draft):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    decide(client, chief, review, back=True, comment="补充实验")
    review.refresh_from_db()
    response = decide(client, chief, review)
    assert response.status_code == 409
    assert "no longer waiting for review" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_a_note_saved_after_the_editor_looked_is_not_published(client, writer, chief, draft):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    seen = draft.version
    from articles.services import save_article

    draft.body += "\n\n新的一段。"
    save_article(draft, user=writer)
    response = decide(client, chief, review, version=seen)
    assert response.status_code == 409
    assert "saved after you opened this page" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert ReviewRequest.objects.get().state == State.PENDING


def test_changed_since_submission_is_said_and_the_current_text_is_approved(
    client, writer, chief, draft
):
    from articles.services import save_article

    save_article(draft, user=writer)  # the revision submitted
    submit(client, writer, draft)

    draft.body += "\n\n提交后又改了一段。"
    save_article(draft, user=writer)
    client.force_login(chief)
    page = client.get(change_page(draft)).content.decode()
    assert 'id="review-changed"' in page
    compare = re.search(r'<a href="([^"]+)" id="review-changes-link">', page).group(1)
    changes = client.get(compare.replace("&amp;", "&"))
    assert changes.status_code == 200 and "提交后又改了一段" in changes.content.decode()
    review = ReviewRequest.objects.get()
    review.article.refresh_from_db()
    assert decide(client, chief, review).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published() and "提交后又改了一段" in draft.body_html


def test_send_back_shows_the_comment_to_the_writer_then_resubmit(
    client, writer, chief, draft, django_capture_on_commit_callbacks
):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(client, chief, review, back=True, comment="第三节缺少证明").status_code == 302
    review.refresh_from_db()
    assert review.state == State.SENT_BACK
    [message] = mail.outbox
    assert message.to == [writer.email] and "第三节缺少证明" in message.body
    client.force_login(writer)
    page = client.get(change_page(draft)).content.decode()
    assert 'id="review-sent-back-comment"' in page and "第三节缺少证明" in page
    assert 'id="review-submit-button"' in page  # may submit again
    assert 'id="review-approve-button"' not in page

    assert submit(client, writer, draft, comment="已补上").status_code == 302
    assert ReviewRequest.objects.filter(state=State.PENDING).count() == 1
    actions = list(
        ReviewStep.objects.filter(request__article=draft).values_list("action", flat=True)
    )
    assert actions == ["submitted", "sent_back", "submitted"]
    page = client.get(change_page(draft)).content.decode()
    assert page.count("<li><strong>") == 3  # the history lists every step


def test_a_note_published_meanwhile_leaves_the_waiting_list(client, writer, chief, draft):
    from articles.services import save_article

    submit(client, writer, draft)
    draft.status = Article.Status.PUBLISHED
    save_article(draft, user=chief)  # the form or a bulk action, not the review
    review = ReviewRequest.objects.get()
    assert review.state == State.CLOSED
    assert review.steps.last().action == ReviewStep.Action.CLOSED
    assert decide(client, chief, review).status_code == 409
    # An approval is not closed by its own save.
    other = ArticleFactory(draft=True, author=writer, title="正常审批")
    submit(client, writer, other)
    decide(client, chief, ReviewRequest.objects.get(article=other))
    assert ReviewRequest.objects.get(article=other).state == State.APPROVED


def test_the_writer_withdraws_a_submission_and_may_submit_again(client, writer, draft):
    submit(client, writer, draft)
    review = ReviewRequest.objects.get()
    page = client.get(change_page(draft)).content.decode()
    assert 'id="review-withdraw-button"' in page
    url = reverse("admin:review_withdraw", args=[review.pk])
    assert post_as(client, contributor("stranger"), url).status_code == 403
    assert ReviewRequest.objects.get().state == State.PENDING
    assert post_as(client, writer, url).status_code == 302
    review.refresh_from_db()
    assert (review.state, review.decided_by) == (State.WITHDRAWN, writer)
    assert review.steps.last().action == ReviewStep.Action.WITHDRAWN
    assert post_as(client, writer, url).status_code == 409  # no longer pending
    assert submit(client, writer, draft).status_code == 302
    assert ReviewRequest.objects.filter(state=State.PENDING).count() == 1
