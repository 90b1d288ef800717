"""Users in the review's roles, by their permissions (the same ones the role groups hold)."""

from django.contrib.auth.models import Permission

from tests.factories import UserFactory

CONTRIBUTOR = ["add_article", "change_article", "view_article"]
EDITOR = [
    *CONTRIBUTOR,
    "delete_article",
    "publish_article",
    "edit_any_article",
    "review_article",
]


def staff_with(username, codenames):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )
    return user


def contributor(username="contributor"):
    return staff_with(username, CONTRIBUTOR)


def editor(username="chief"):
    return staff_with(username, EDITOR)
