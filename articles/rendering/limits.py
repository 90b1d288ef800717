"""The size limit of one note: a form error on save, a message instead of a preview.

KaTeX's time and memory limits live with the engine (``typesetting``); this bounds the rest of
a render (Markdown, sanitising, summary), which grows with the body's length.
"""

from django.conf import settings
from django.core.exceptions import ValidationError


def body_length_error(text):
    """The author's message when ``text`` is over BODY_MAX_LENGTH characters, else None."""
    limit = settings.BODY_MAX_LENGTH
    if len(text) <= limit:
        return None
    return (
        f"The note is {len(text):,} characters long; the limit is {limit:,}. "
        "Split it into several notes."
    )


def validate_body_length(text):
    """Model validator of Article.body (the admin form shows it on the field)."""
    message = body_length_error(text)
    if message:
        raise ValidationError(message, code="body_too_long")
