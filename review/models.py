"""Review requests with their steps, and shareable preview links of drafts."""

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article

PREVIEW_SIGNING_SALT = "review.preview-link"


class ReviewRequest(models.Model):
    """One submission of a note for review, from the writer's request to the editor's decision.

    A note has at most one pending request (a partial unique constraint: a double submit
    cannot store two). A note sent back and submitted again gets a new request.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved and published")
        SCHEDULED = "scheduled", _("Approved, scheduled")
        SENT_BACK = "sent_back", _("Sent back")
        # Published by other means (the form, a bulk action) while it waited.
        CLOSED = "closed", _("Closed: published meanwhile")
        WITHDRAWN = "withdrawn", _("Withdrawn by the writer")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="review_requests", verbose_name=_("note")
    )
    # SET_NULL: deleting a user keeps the record (the steps keep the name).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # The note's version when submitted: the editor is told when it has changed since.
    submitted_version = models.PositiveIntegerField(_("version submitted"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=Q(state="pending"),
                name="review_one_pending_request_per_note",
            )
        ]

    def __str__(self):
        return f"{self.article} ({self.get_state_display()})"

    @property
    def changed_since_submission(self):
        return self.article.version != self.submitted_version


class ReviewStep(models.Model):
    """One step of a review (submitted, approved, scheduled, sent back): who, when, what."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved and published")
        SCHEDULED = "scheduled", _("Approved, scheduled")
        SENT_BACK = "sent_back", _("Sent back")
        CLOSED = "closed", _("Closed: published meanwhile")
        WITHDRAWN = "withdrawn", _("Withdrawn by the writer")

    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="steps")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by (name)"), max_length=150)
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    comment = models.TextField(_("comment"), blank=True)
    resulting_state = models.CharField(
        _("resulting state"), max_length=10, choices=ReviewRequest.State.choices
    )
    article_version = models.PositiveIntegerField(_("note version"))
    # Approved with a time: when the note goes out.
    publish_at = models.DateTimeField(_("publication time"), null=True, blank=True)

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.actor_name} · {self.at:%Y-%m-%d %H:%M}"


class PreviewLinkQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class PreviewLink(models.Model):
    """A link that shows a draft to anyone holding it, until it expires or is revoked.

    The URL's token is the link's id and its note's id signed with SECRET_KEY
    (``django.core.signing``): a tampered token fails the HMAC check before any query, and
    the row holds the expiry and the revocation, so both are decided on the server and the
    panel can show every link's URL again. Rotating SECRET_KEY (without keeping the old one
    in SECRET_KEY_FALLBACKS) ends every link.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="preview_links", verbose_name=_("note")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.article} · {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def token(self):
        return signing.Signer(salt=PREVIEW_SIGNING_SALT).sign(f"{self.pk}.{self.article_id}")

    @staticmethod
    def unsign(token):
        """(link id, note id) from a token, or None when it was not made by ``token``."""
        try:
            value = signing.Signer(salt=PREVIEW_SIGNING_SALT).unsign(token)
            link_id, article_id = (int(part) for part in value.split("."))
        except (signing.BadSignature, ValueError):
            return None
        return link_id, article_id

    def is_active(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
