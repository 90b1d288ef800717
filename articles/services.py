"""Writes that span models: saving a note together with its revision."""

import re

import reversion
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.models import Article, RevisionDetail

_WHITESPACE = re.compile(r"\s+")


class EditConflict(Exception):
    """The stored note is not the version the editor loaded: nothing was written."""

    def __init__(self, article_pk, expected_version, current_version):
        self.article_pk = article_pk
        self.expected_version = expected_version
        self.current_version = current_version  # None: the note was deleted meanwhile
        super().__init__(
            f"note {article_pk}: loaded version {expected_version}, stored {current_version}"
        )


def content_key(title, body, summary):
    """What counts as the note's content for ``revised_at``: the text without any whitespace."""
    return tuple(_WHITESPACE.sub("", text or "") for text in (title, body, summary))


def tag_snapshot(article):
    """The note's tags as stored in a revision: ``[[id, name], ...]`` sorted by name."""
    return sorted(([tag.pk, tag.name] for tag in article.tags.all()), key=lambda pair: pair[1])


def save_article(
    article,
    *,
    user=None,
    comment="",
    tags=None,
    expected_version=None,
    revised_at=None,
    kind=RevisionDetail.Kind.SAVE,
):
    """Save ``article`` and record a revision of it (django-reversion), in one transaction.

    Every writer of notes calls this: the admin form, bulk actions, restore and recovery,
    imports (``kind=RevisionDetail.Kind.IMPORT``) and commands that change content.
    ``rerender_articles`` does not: it rewrites stored renders only, no authored field.

    - ``tags``: names or Tag objects to set; None leaves the tags as they are.
    - ``expected_version``: the version the editor loaded. If the stored one differs (someone
      saved since), ``EditConflict`` is raised and nothing is written. The check and the
      increment are one conditional UPDATE, so two concurrent saves cannot both pass.
    - ``revised_at``: an explicit time of the last content change (an import). Otherwise it
      moves to now when the title, body or summary changed by more than whitespace; a caller
      may also set ``article.revised_at`` itself before calling.
    - ``user``, ``comment``: who saved and why, shown in the History view.

    The version goes up by one on every call. Call it once per note inside one
    ``reversion.create_revision()`` block (it opens its own when there is none).
    """
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        now = timezone.now()
        stored = _claim_next_version(article, expected_version)
        if revised_at is not None:
            article.revised_at = revised_at
        elif stored is None:  # a new note: written when dated (a backdated import), else now
            article.revised_at = article.revised_at or article.published_at or now
        elif article.revised_at != stored["revised_at"]:
            pass  # the caller set it
        elif content_key(article.title, article.body, article.summary) != content_key(
            stored["title"], stored["body"], stored["summary"]
        ):
            article.revised_at = now
        elif article.revised_at is None:  # a row from before revised_at: no change known
            article.revised_at = article.published_at or now
        if stored is not None:
            article.version = stored["version"]
        article.save()
        if tags is not None:
            article.tags.set(list(tags))
        reversion.add_to_revision(article)
        reversion.add_meta(
            RevisionDetail,
            article_id=article.pk,
            kind=kind,
            tags=tag_snapshot(article),
            category_name=article.category.name,
        )
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)
    return article


def _claim_next_version(article, expected_version):
    """Move the stored version up by one (if it is ``expected_version``, when given).

    Returns the stored content before this save, or None for a note not stored yet.
    """
    if article.pk is None:
        return None
    rows = Article.objects.filter(pk=article.pk)
    claim = rows if expected_version is None else rows.filter(version=expected_version)
    if not claim.update(version=F("version") + 1):
        current = rows.values_list("version", flat=True).first()
        if current is None and expected_version is None:
            return None  # a deleted note being recovered under its old id
        raise EditConflict(article.pk, expected_version, current)
    return rows.values("version", "title", "body", "summary", "revised_at").get()
