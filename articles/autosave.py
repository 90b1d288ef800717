"""Per-user autosaves of the text being edited: stored, offered back, discarded, pruned.

An autosave is neither a published change nor a revision: one row per user and note (or per
user for a new note), overwritten each time. It belongs to the user, not to the session, so
it outlives an expired login.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext

from articles.models import Article, Autosave
from articles.services import content_key
from articles.tagging import parse_tags

TEXT_FIELDS = ("title", "tags", "body", "summary")
# The editor sends one every ~10 s of typing and one on page hide.
RATE_LIMIT = 30  # requests
RATE_WINDOW = 60  # seconds
PRUNE_AFTER = timedelta(days=30)


class AutosaveForm(forms.Form):
    """What the editor sends; sizes as in the change form (body: the request size cap)."""

    article = forms.IntegerField(required=False, min_value=1)
    base_version = forms.IntegerField(required=False, min_value=1)
    title = forms.CharField(required=False, max_length=200, strip=False)
    tags = forms.CharField(required=False, max_length=1000, strip=False)
    body = forms.CharField(
        required=False, max_length=settings.DATA_UPLOAD_MAX_MEMORY_SIZE, strip=False
    )
    summary = forms.CharField(
        required=False, max_length=settings.DATA_UPLOAD_MAX_MEMORY_SIZE, strip=False
    )

    def clean_body(self):
        body, limit = self.cleaned_data["body"], body_max_length()
        if len(body) > limit:
            raise forms.ValidationError(
                gettext("A note's body may have at most %(limit)d characters.") % {"limit": limit}
            )
        return body

    def clean(self):
        # Browsers send textarea lines as CRLF; store them as the note stores text.
        cleaned = super().clean()
        for name in TEXT_FIELDS:
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].replace("\r\n", "\n")
        return cleaned

    def clean_article(self):
        pk = self.cleaned_data["article"]
        if pk is None:
            return None
        article = Article.objects.filter(pk=pk).first()
        if article is None:
            raise forms.ValidationError(gettext("No such note."))
        return article


def body_max_length():
    """The change form's cap on a body (the renderer's limit), else the request size cap."""
    return getattr(settings, "BODY_MAX_LENGTH", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def over_rate_limit(user):
    """Count one request for ``user`` in the current window; True beyond RATE_LIMIT."""
    window = int(timezone.now().timestamp()) // RATE_WINDOW
    key = f"autosave-rate:{user.pk}:{window}"
    cache.add(key, 0, RATE_WINDOW * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, RATE_WINDOW * 2)
        count = 1
    return count > RATE_LIMIT


def store_autosave(user, cleaned):
    """Create or overwrite ``user``'s autosave of the note (None: a new note)."""
    values = {name: cleaned[name] for name in TEXT_FIELDS}
    values["base_version"] = cleaned["base_version"]
    autosave, _ = Autosave.objects.update_or_create(
        user=user, article=cleaned["article"], defaults=values
    )
    return autosave


def pending_autosave(user, article=None):
    """``user``'s autosave of ``article`` (None: of a new note) worth offering back: one whose
    text differs from the stored note. One with the same text is stale and removed."""
    autosave = Autosave.objects.filter(user=user, article=article).first()
    if autosave is None:
        return None
    if article is None:
        return autosave if any(getattr(autosave, name) for name in TEXT_FIELDS) else None
    same_text = content_key(autosave.title, autosave.body, autosave.summary) == content_key(
        article.title, article.body, article.summary
    ) and _tag_key(parse_tags(autosave.tags)) == _tag_key(article.tags.names())
    if same_text:
        autosave.delete()
        return None
    return autosave


def _tag_key(names):
    return sorted(name.lower() for name in names)


def discard_autosave(user, article=None):
    Autosave.objects.filter(user=user, article=article).delete()


def keep_autosaves_of(article):
    """Before ``article`` is deleted: its autosaves become their users' new-note autosaves
    (unless a user has one already), so the unsaved text outlives the note."""
    taken = Autosave.objects.filter(article=None).values("user_id")
    kept = Autosave.objects.filter(article=article).exclude(user_id__in=taken)
    return kept.update(article=None, base_version=None)


def prune_autosaves(older_than=PRUNE_AFTER, *, dry_run=False):
    """Delete autosaves not updated for ``older_than``; returns how many (would be) deleted."""
    old = Autosave.objects.filter(updated_at__lt=timezone.now() - older_than)
    if dry_run:
        return old.count()
    return old.delete()[0]
