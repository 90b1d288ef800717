"""A note's revisions (django-reversion Versions + RevisionDetail): history, compare, restore,
conflict copies, deletion records and recovery of deleted notes.

Writes go through ``articles.services.save_article``, so a restore is a new revision (none is
ever deleted) and re-renders the note.
"""

from dataclasses import dataclass, field
from datetime import datetime

import reversion
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats, timezone
from reversion.models import Version
from taggit.models import Tag

from articles.diffing import diff_text
from articles.models import Article, Category, RevisionDetail
from articles.services import save_article, tag_snapshot

Kind = RevisionDetail.Kind

# The authored fields a revision keeps, in the order the History view lists them.
FIELD_LABELS = {
    "title": "title",
    "slug": "slug",
    "body": "body",
    "summary": "summary",
    "category": "category",
    "tags": "tags",
    "status": "status",
    "published_at": "publication date",
    "author": "author",
}
TEXT_FIELDS = ("title", "slug", "body", "summary")


@dataclass
class Snapshot:
    """One state of a note's authored fields: a revision, or the note as stored now."""

    title: str
    slug: str
    body: str
    summary: str
    category_id: int | None
    category_name: str
    tags: list  # [[id or None, name], ...]
    status: str
    published_at: datetime | None
    author_id: int | None
    author_name: str = ""

    @classmethod
    def of_article(cls, article):
        return cls(
            title=article.title,
            slug=article.slug,
            body=article.body,
            summary=article.summary,
            category_id=article.category_id,
            category_name=article.category.name,
            tags=tag_snapshot(article),
            status=article.status,
            published_at=article.published_at,
            author_id=article.author_id,
            author_name=str(article.author),
        )

    @classmethod
    def of_version(cls, version, detail=None):
        data = version.field_dict
        return cls(
            title=data.get("title", ""),
            slug=data.get("slug", ""),
            body=data.get("body", ""),
            summary=data.get("summary", ""),
            category_id=data.get("category_id"),
            category_name=detail.category_name if detail else "",
            tags=detail.tags if detail else [],
            status=data.get("status", ""),
            published_at=data.get("published_at"),
            author_id=data.get("author_id"),
        )

    def display(self, name):
        """A field's value as the History and conflict pages show it."""
        if name == "category":
            return self.category_name or f"#{self.category_id}"
        if name == "tags":
            return "、".join(tag_name for _, tag_name in self.tags) or "—"
        if name == "status":
            return dict(Article.Status.choices).get(self.status, self.status)
        if name == "published_at":
            when = self.published_at
            return formats.date_format(timezone.localtime(when), "Y-m-d H:i") if when else "—"
        if name == "author":
            return self.author_name or f"#{self.author_id}"
        return getattr(self, name)

    @property
    def display_tags(self):
        return self.display("tags")

    def key(self, name):
        """A field's value for telling whether it changed."""
        if name == "category":
            return self.category_id
        if name == "tags":
            return sorted(tag_name.lower() for _, tag_name in self.tags)
        if name == "author":
            return self.author_id
        if name == "published_at" and self.published_at is not None:
            # Revisions keep milliseconds (Django's JSON); the stored note has microseconds.
            return self.published_at.replace(microsecond=self.published_at.microsecond // 1000)
        return getattr(self, name)


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    diff_html: str = ""  # text fields: the inline character/word diff
    inserted: int = 0
    deleted: int = 0


def compare(old, new):
    """The fields that differ from snapshot ``old`` to ``new``, with diffs of the text ones."""
    changes = []
    for name, label in FIELD_LABELS.items():
        if old.key(name) == new.key(name):
            continue
        change = FieldChange(name, label, str(old.display(name)), str(new.display(name)))
        if name in TEXT_FIELDS:
            diff = diff_text(old.display(name), new.display(name))
            change.diff_html, change.inserted, change.deleted = (
                diff.html,
                diff.inserted,
                diff.deleted,
            )
        changes.append(change)
    return changes


@dataclass
class HistoryEntry:
    version: Version
    snapshot: Snapshot
    kind: str
    changed: list = field(default_factory=list)  # labels of the fields changed by this entry
    body_delta: int = 0  # characters, against the previous stored state

    @property
    def kind_label(self):
        return Kind(self.kind).label

    @property
    def is_conflict_copy(self):
        return self.kind == Kind.CONFLICT


def versions_of(article_pk):
    return Version.objects.get_for_object_reference(Article, article_pk).select_related(
        "revision", "revision__user"
    )


def history(article_pk):
    """Every revision of a note, newest first, each with what it changed.

    A conflict copy is compared with the stored state it did not replace; the next save is
    compared with that stored state too, never with the copy.
    """
    details = {d.revision_id: d for d in RevisionDetail.objects.filter(article_id=article_pk)}
    versions = list(versions_of(article_pk).order_by("pk"))
    authors = _author_names(versions)
    entries, stored = [], None
    for version in versions:
        detail = details.get(version.revision_id)
        snapshot = Snapshot.of_version(version, detail)
        snapshot.author_name = authors.get(snapshot.author_id, "")
        entry = HistoryEntry(version, snapshot, detail.kind if detail else Kind.SAVE)
        if stored is None:
            entry.changed = ["created"]
            entry.body_delta = len(snapshot.body)
        else:
            entry.changed = [change.label for change in compare(stored, snapshot)]
            entry.body_delta = len(snapshot.body) - len(stored.body)
        if not entry.is_conflict_copy:
            stored = snapshot
        entries.append(entry)
    return entries[::-1]


def snapshot_of_version(version):
    detail = RevisionDetail.objects.filter(
        revision_id=version.revision_id, article_id=version.object_id
    ).first()
    snapshot = Snapshot.of_version(version, detail)
    snapshot.author_name = _author_names([version]).get(snapshot.author_id, "")
    return snapshot


def _author_names(versions):
    ids = {version.field_dict.get("author_id") for version in versions}
    return {user.pk: str(user) for user in get_user_model().objects.filter(pk__in=ids)}


@dataclass
class RestoreOutcome:
    article: Article
    not_restored: list  # messages: what no longer exists and was left as it is


def restore_revision(
    article, version, *, user, expected_version=None, all_fields=False, comment=""
):
    """Bring ``version``'s text, slug, category and tags back into ``article`` as a new revision.

    With ``all_fields`` (taking a conflict copy), the status, date and author come back too and
    tags it names that do not exist are created, as the editor typed them; otherwise deleted
    tags and a deleted category are left out and reported.
    """
    snapshot = snapshot_of_version(version)
    outcome = RestoreOutcome(article, [])
    _apply_snapshot(article, snapshot, outcome, all_fields=all_fields)
    tags = _restorable_tags(snapshot, outcome, create_missing=all_fields)
    when = formats.date_format(timezone.localtime(version.revision.date_created), "Y-m-d H:i")
    save_article(
        article,
        user=user,
        tags=tags,
        expected_version=expected_version,
        kind=Kind.RESTORE,
        comment=comment or f"Restored the revision of {when} (#{version.revision_id}).",
    )
    return outcome


def _apply_snapshot(article, snapshot, outcome, *, all_fields):
    article.title, article.body, article.summary = snapshot.title, snapshot.body, snapshot.summary
    slug_taken = Article.objects.filter(slug=snapshot.slug).exclude(pk=article.pk).exists()
    if slug_taken:
        kept = f"kept “{article.slug}”" if article.slug else "made a new one from the title"
        outcome.not_restored.append(
            f"The slug “{snapshot.slug}” now belongs to another note; {kept}."
        )
    else:
        article.slug = snapshot.slug
    if Category.objects.filter(pk=snapshot.category_id).exists():
        article.category_id = snapshot.category_id
    else:
        outcome.not_restored.append(
            f"The category “{snapshot.display('category')}” was deleted; "
            f"kept “{article.category.name}”."
        )
    if all_fields:
        article.status = snapshot.status
        if not _same_to_the_millisecond(article.published_at, snapshot.published_at):
            article.published_at = snapshot.published_at
        if get_user_model().objects.filter(pk=snapshot.author_id).exists():
            article.author_id = snapshot.author_id


def _same_to_the_millisecond(stored, kept):
    """Revisions keep times to the millisecond (Django's JSON): no change below that."""
    if stored is None or kept is None:
        return stored is kept
    return abs((stored - kept).total_seconds()) < 0.001


def _restorable_tags(snapshot, outcome, *, create_missing):
    """Tags of the snapshot that still exist (by id: a renamed tag comes back renamed)."""
    ids = [tag_id for tag_id, _ in snapshot.tags if tag_id is not None]
    existing = {tag.pk: tag for tag in Tag.objects.filter(pk__in=ids)}
    tags, missing = [], []
    for tag_id, name in snapshot.tags:
        if tag_id in existing:
            tags.append(existing[tag_id])
        elif create_missing:
            tags.append(name)
        else:
            missing.append(name)
    if missing:
        outcome.not_restored.append(
            "Tags that no longer exist were not restored: " + "、".join(missing) + "."
        )
    return tags


def store_conflict_copy(submitted, *, tags, user, current_version):
    """Keep an editor's refused save as a revision of the note (not applied to it).

    ``submitted`` is the note with the form's values, unsaved; ``tags`` the names typed.
    Returns the Version, from which the conflict page can restore it.
    """
    stored_tags = {tag.name.lower(): tag.pk for tag in Tag.objects.filter(name__in=tags)}
    snapshot = sorted(([stored_tags.get(name.lower()), name] for name in tags), key=lambda t: t[1])
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(submitted)
        reversion.add_meta(
            RevisionDetail,
            article_id=submitted.pk,
            kind=Kind.CONFLICT,
            tags=snapshot,
            category_name=submitted.category.name,
        )
        reversion.set_user(user)
        reversion.set_comment(
            f"Not saved: the note had been saved since it was opened (now version "
            f"{current_version})."
        )
    return versions_of(submitted.pk).order_by("-pk").first()


def record_deletion(article, *, user):
    """A last revision of the note as it was when deleted (what recovery brings back)."""
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(article)
        reversion.add_meta(
            RevisionDetail,
            article_id=article.pk,
            kind=Kind.DELETE,
            tags=tag_snapshot(article),
            category_name=article.category.name,
        )
        reversion.set_user(user)
        reversion.set_comment("Deleted.")


def deleted_notes():
    """The last revision of each deleted note, newest deletion first."""
    return Version.objects.get_deleted(Article).select_related("revision", "revision__user")


def recover_deleted(version, *, user):
    """Store a deleted note again, under its old id, as its last revision had it.

    Raises ValueError when it cannot come back (its category no longer exists).
    """
    if Article.objects.filter(pk=version.object_id).exists():
        raise ValueError("This note exists: open it and restore a revision from its History.")
    snapshot = snapshot_of_version(version)
    if not Category.objects.filter(pk=snapshot.category_id).exists():
        raise ValueError(
            f"Its category “{snapshot.display('category')}” was deleted too: recreate a "
            "category, then recover the note."
        )
    data = version.field_dict
    article = Article(pk=int(version.object_id), created_at=data.get("created_at"))
    outcome = RestoreOutcome(article, [])
    article.author_id = user.pk
    _apply_snapshot(article, snapshot, outcome, all_fields=True)
    article.revised_at = data.get("revised_at")
    if article.slug != snapshot.slug:
        article.slug = ""  # taken meanwhile: a fresh one from the title
    tags = _restorable_tags(snapshot, outcome, create_missing=False)
    with transaction.atomic():
        save_article(article, user=user, tags=tags, kind=Kind.RESTORE, comment="Recovered.")
        # auto_now_add stamped now: the feeds' item ids are built on the creation date.
        if data.get("created_at"):
            Article.objects.filter(pk=article.pk).update(created_at=data["created_at"])
            article.created_at = data["created_at"]
    return outcome
