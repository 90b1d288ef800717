"""Shareable preview links: made and revoked from a draft's change page, read by anyone."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.permissions import can_edit
from review.models import PreviewLink
from review.services import ReviewRefused

# Terms offered when making a link, in days (the setting's default is one of them).
TERMS = (1, 3, 7, 14, 30)


def default_days():
    return settings.PREVIEW_LINK_MAX_AGE_DAYS


def term_choices():
    return sorted({*TERMS, default_days()})


def create(article, user, *, days=None):
    if not can_edit(user, article):
        raise PermissionDenied
    if article.is_published():
        raise ReviewRefused(_("This note is public: share its own address instead."))
    now = timezone.now()
    return PreviewLink.objects.create(
        article=article,
        created_by=user,
        created_at=now,
        expires_at=now + timedelta(days=days or default_days()),
    )


def revoke(link, user):
    if not can_edit(user, link.article):
        raise PermissionDenied
    if link.revoked_at is not None:
        raise ReviewRefused(_("This link was already revoked."))
    # Conditional: of two concurrent revokes one is stored, the other is told.
    revoked = PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    if not revoked:
        raise ReviewRefused(_("This link was already revoked."))


def resolve(token):
    """The active link a token names, or None (tampered, revoked, expired, deleted)."""
    ids = PreviewLink.unsign(token)
    if ids is None:
        return None
    link_id, article_id = ids
    return PreviewLink.objects.active().filter(pk=link_id, article_id=article_id).first()
