"""The review workflow's writes: submit, withdraw, approve (now or at a time), send back.

Each step is one transaction: the request's new state, its ReviewStep (who, when, comment,
resulting state), the note's publication through ``articles.services.save_article`` (a
revision, and the lost-update check against the version the editor looked at) and the
notification email, sent after commit. A refused step raises ``ReviewRefused`` (or
``PermissionDenied``) and changes nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article
from articles.permissions import can_edit, can_publish, can_review
from articles.services import EditConflict, save_article
from review import notifications
from review.models import ReviewRequest, ReviewStep

State = ReviewRequest.State
Action = ReviewStep.Action


class ReviewRefused(Exception):
    """The step does not apply to the note or request as it is now (HTTP 409)."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


def pending_request(article):
    return ReviewRequest.objects.filter(article=article, state=State.PENDING).first()


def may_submit(user, article):
    return article.status == Article.Status.DRAFT and can_edit(user, article)


def may_decide(user, article):
    return can_review(user) and can_publish(user, article)


def submit(article, user, *, comment="", admin_url=""):
    """Ask for a review of ``article`` (a draft) as it is stored now."""
    if not can_edit(user, article):
        raise PermissionDenied
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.status != Article.Status.DRAFT:
            raise ReviewRefused(_("Only a draft can be submitted for review."))
        if pending_request(article) is not None:
            raise ReviewRefused(_("This note is already waiting for review."))
        try:
            with transaction.atomic():  # the partial unique constraint: a concurrent submit
                review = ReviewRequest.objects.create(
                    article=article, submitted_by=user, submitted_version=article.version
                )
        except IntegrityError:
            raise ReviewRefused(_("This note is already waiting for review.")) from None
        step = _record(review, user, Action.SUBMITTED, comment)
        notifications.submitted(review, step, admin_url)
    return review


def approve(review, user, *, publish_at=None, expected_version=None, admin_url=""):
    """Publish the note now, or at ``publish_at`` (scheduled), as its text is stored now.

    ``expected_version``: the version the editor was shown; if the note was saved since,
    nothing is published and the editor is asked to look again.
    """
    if not may_decide(user, review.article):
        raise PermissionDenied
    with transaction.atomic():
        review = _lock_pending(review)
        article = review.article
        if publish_at is not None and publish_at <= timezone.now():
            raise ReviewRefused(_("The publication time has passed: publish now instead."))
        # Decided before the note is saved: the receiver that closes requests of notes
        # published by other means (review.signals) finds nothing pending.
        review.state = State.SCHEDULED if publish_at else State.APPROVED
        _decide(review, user)
        article.status = Article.Status.PUBLISHED
        article.published_at = publish_at or timezone.now()
        action = Action.SCHEDULED if publish_at else Action.APPROVED
        try:
            save_article(
                article,
                user=user,
                comment=str(ReviewStep.Action(action).label),
                expected_version=expected_version,
            )
        except EditConflict:
            raise ReviewRefused(_changed_message()) from None
        step = _record(review, user, action, "", publish_at=publish_at)
        notifications.decided(review, step, admin_url)
    return review


def send_back(review, user, *, comment, expected_version=None, admin_url=""):
    """Return the note to its writer with ``comment`` (shown on the note's change page)."""
    if not may_decide(user, review.article):
        raise PermissionDenied
    with transaction.atomic():
        review = _lock_pending(review)
        if expected_version is not None and review.article.version != expected_version:
            raise ReviewRefused(_changed_message())
        review.state = State.SENT_BACK
        _decide(review, user)
        step = _record(review, user, Action.SENT_BACK, comment)
        notifications.decided(review, step, admin_url)
    return review


def withdraw(review, user):
    """The writer takes a pending submission back (to go on writing, or by mistake)."""
    if not can_edit(user, review.article):
        raise PermissionDenied
    with transaction.atomic():
        review = _lock_pending(review)
        review.state = State.WITHDRAWN
        _decide(review, user)
        _record(review, user, Action.WITHDRAWN, "")
    return review


def close_published(article):
    """The note was published outside the review (its form, a bulk action): nothing waits."""
    for review in ReviewRequest.objects.filter(article=article, state=State.PENDING):
        # Conditional: an approval deciding it at the same moment keeps its own state.
        rows = ReviewRequest.objects.filter(pk=review.pk, state=State.PENDING)
        if rows.update(state=State.CLOSED, decided_at=timezone.now()):
            review.state = State.CLOSED
            _record(review, None, Action.CLOSED, "")


def history(article):
    """Every review step of the note, oldest first."""
    return (
        ReviewStep.objects.filter(request__article=article)
        .select_related("request")
        .order_by("at", "pk")
    )


def _changed_message():
    return _(
        "The note was saved after you opened this page: nothing was published. "
        "Read the current text, then decide again."
    )


def _lock_pending(review):
    # Locks the request, then the note: the state and the version read are the stored ones.
    review = ReviewRequest.objects.select_for_update().get(pk=review.pk)
    if review.state != State.PENDING:
        raise ReviewRefused(
            _("This request is no longer waiting for review (%(state)s).")
            % {"state": review.get_state_display()}
        )
    review.article = Article.objects.select_for_update().get(pk=review.article_id)
    return review


def _decide(review, user):
    review.decided_by = user
    review.decided_at = timezone.now()
    review.save(update_fields=["state", "decided_by", "decided_at"])


def _record(review, user, action, comment, publish_at=None):
    return ReviewStep.objects.create(
        request=review,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        action=action,
        comment=comment,
        resulting_state=review.state,
        article_version=Article.objects.values_list("version", flat=True).get(pk=review.article_id),
        publish_at=publish_at,
    )
