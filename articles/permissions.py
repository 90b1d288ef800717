"""Who may do what to a note: the one place the admin, autosave, preview, upload, restore,
import and review ask. Roles are groups holding Django permissions (Meta.permissions on
Article); these functions turn them into decisions about one note.

- Contributor: add and change own drafts (``add_article``, ``change_article``); no publishing.
- Author: the contributor's, plus ``publish_article`` (publish and unpublish own notes).
- Editor: ``edit_any_article`` (and ``delete_article``, ``review_article``): anyone's notes.
- Superuser: everything.
"""

from django.conf import settings

from articles.models import Article


def edits_any(user):
    return user.is_active and user.has_perm("articles.edit_any_article")


def is_own(user, article):
    # A new note (no pk) is the user's own: the author field is set to them.
    return article is None or article.pk is None or article.author_id == user.pk


def views_any(user):
    """``view_article`` reads every note (read-only); the writers' roles do not hold it."""
    return edits_any(user) or (user.is_active and user.has_perm("articles.view_article"))


def visible_articles(user, queryset=None):
    """The notes this user sees in the admin (list, search, history, export): all for an
    editor or a viewer, otherwise their own (a contributor's published ones read-only)."""
    queryset = Article.objects.all() if queryset is None else queryset
    if views_any(user):
        return queryset
    if not user.is_active or not user.has_perm("articles.change_article"):
        return queryset.none()
    return queryset.filter(author=user)


def can_view(user, article):
    return views_any(user) or (
        user.is_active and is_own(user, article) and user.has_perm("articles.change_article")
    )


def writes_notes(user):
    """May use the editor at all (preview, upload, autosave of a new note)."""
    return (
        user.is_active
        and user.is_staff
        and (user.has_perm("articles.add_article") or user.has_perm("articles.change_article"))
    )


def publishes(user):
    """Publishes some notes (their own, or anyone's): the publishing actions apply to them."""
    return edits_any(user) or (user.is_active and user.has_perm("articles.publish_article"))


def upload_limit(user):
    """The largest image this user may upload: contributors (who cannot publish) have a cap."""
    limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE
    if publishes(user):
        return limit
    return min(limit, getattr(settings, "CONTRIBUTOR_UPLOAD_MAX_BYTES", limit))


def writable_articles(user, queryset=None):
    """The notes this user may open and edit: all for an editor, otherwise their own."""
    queryset = Article.objects.all() if queryset is None else queryset
    if edits_any(user):
        return queryset
    if not user.is_active or not user.has_perm("articles.change_article"):
        return queryset.none()
    return queryset.filter(author=user)


def can_edit(user, article=None):
    if not user.is_active or not user.is_staff:
        return False
    if article is None or article.pk is None:
        return user.has_perm("articles.add_article")
    if edits_any(user):
        return True
    if not (is_own(user, article) and user.has_perm("articles.change_article")):
        return False
    # A contributor's published note is no longer theirs to change.
    return can_publish(user, article) or article.status != Article.Status.PUBLISHED


def can_publish(user, article=None):
    """Publish, unpublish or schedule this note."""
    if edits_any(user):
        return True
    return user.is_active and is_own(user, article) and user.has_perm("articles.publish_article")


def can_delete(user, article=None):
    if edits_any(user) and user.has_perm("articles.delete_article"):
        return True
    # Writers may delete their own drafts, never a published note.
    return (
        article is not None
        and is_own(user, article)
        and article.status != Article.Status.PUBLISHED
        and user.has_perm("articles.delete_article")
    )


def can_change_author(user):
    return edits_any(user)


def can_import(user):
    """Imports create and update notes of any author: editors only (docs/transfer.md)."""
    return edits_any(user) and user.has_perm("articles.add_article")


def can_review(user):
    return user.is_active and user.has_perm("articles.review_article")
