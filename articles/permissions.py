"""Who may do what to a note: the one place the admin, autosave, preview, upload, restore,
import and review ask. Roles are groups holding Django permissions (Meta.permissions on
Article); these functions turn them into decisions about one note.

- Contributor: add and change own drafts (``add_article``, ``change_article``); no publishing.
- Author: the contributor's, plus ``publish_article`` (publish and unpublish own notes).
- Editor: ``edit_any_article`` (and ``delete_article``, ``review_article``): anyone's notes.
- Superuser: everything.
"""

from articles.models import Article


def edits_any(user):
    return user.is_active and user.has_perm("articles.edit_any_article")


def is_own(user, article):
    # A new note (no pk) is the user's own: the author field is set to them.
    return article is None or article.pk is None or article.author_id == user.pk


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
    return is_own(user, article) and user.has_perm("articles.publish_article")


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


def can_review(user):
    return user.is_active and user.has_perm("articles.review_article")
