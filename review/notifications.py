"""Review emails, through Django's email backend (EMAIL_URL; the console in development).

Sent after the step's transaction commits (``transaction.on_commit``): a step that rolls
back mails nobody, and a mail server that fails is logged without undoing the step.
"""

import logging

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def reviewers():
    """Active users who may decide reviews (the Editor group, direct grants, superusers)."""
    users = get_user_model().objects.with_perm("articles.review_article", backend=MODEL_BACKEND)
    return users.exclude(email="")


def submitted(review, step, admin_url):
    """Tell the reviewers that a note waits for them (not the one who submitted it)."""
    emails = [u.email for u in reviewers() if u.pk != step.actor_id]
    _send_on_commit("submitted", emails, review, step, admin_url)


def decided(review, step, admin_url):
    """Tell the writer (the one who submitted, and the note's author) what was decided."""
    writers = {review.submitted_by, review.article.author} - {None, step.actor}
    emails = [user.email for user in writers if user.email]
    _send_on_commit("decided", emails, review, step, admin_url)


def _send_on_commit(kind, emails, review, step, admin_url):
    if not emails:
        return
    context = {"review": review, "step": step, "article": review.article, "admin_url": admin_url}
    subject = " ".join(render_to_string(f"review/email/{kind}_subject.txt", context).split())
    body = render_to_string(f"review/email/{kind}.txt", context)
    messages = [
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        for email in sorted(set(emails))
    ]
    transaction.on_commit(lambda: _send(messages))


def _send(messages):
    try:
        mailer().send_messages(messages)
    except Exception:  # the step is stored; a mail server's failure must not turn it into a 500
        logger.exception("review notification not sent to %s", [m.to for m in messages])


def mailer():
    """The default mail backend: Django 6.1's MAILERS, get_connection() before it."""
    if django.VERSION >= (6, 1):
        return mail.mailers.default
    return mail.get_connection()
