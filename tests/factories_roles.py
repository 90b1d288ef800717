"""Users holding a role (the groups editorial's migration creates), and their notes."""

from django.contrib.auth.models import Group

from articles.models import Article
from editorial.roles import AUTHOR, CONTRIBUTOR, EDITOR
from tests.factories import ArticleFactory, StaffFactory

ROLES = [CONTRIBUTOR, AUTHOR, EDITOR, "superuser"]
WRITERS = [CONTRIBUTOR, AUTHOR]


def role_user(role, username=None):
    """A staff member holding ``role`` (``"superuser"``: a superuser, no group)."""
    username = username or role.lower()
    if role == "superuser":
        return StaffFactory(username=username)
    user = StaffFactory(username=username, is_superuser=False)
    user.groups.add(Group.objects.get(name=role))
    return user


def note_of(user, *, draft=True, **fields):
    """A note by ``user`` (a draft unless ``draft=False``), with no publication date if draft."""
    if draft:
        fields.setdefault("status", Article.Status.DRAFT)
        fields.setdefault("published_at", None)
    return ArticleFactory(author=user, **fields)
