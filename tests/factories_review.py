"""Users in the role groups (editorial/roles.py: the groups its migration and every migrate
keep in step)."""

from django.apps import apps
from django.contrib.auth.models import Group

from editorial.roles import CONTRIBUTOR, EDITOR, sync_roles
from tests.factories import UserFactory


def in_role(username, role):
    if not Group.objects.filter(name=role).exists():  # a flushed database without its groups
        sync_roles(apps)
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def contributor(username="contributor"):
    return in_role(username, CONTRIBUTOR)


def editor(username="chief"):
    return in_role(username, EDITOR)
