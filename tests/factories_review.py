"""Users in the role groups (editorial/roles.py: the groups its migration and every migrate
keep in step), and the review panel's POSTs as a test makes them."""

from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

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


def change_page(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def post_as(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


def submit(client, writer, article, comment=""):
    url = reverse("admin:review_submit", args=[article.pk])
    return post_as(client, writer, url, {"review_submit-comment": comment})


def decide(client, user, review, *, back=False, comment="", publish_at="", version=None):
    name = "admin:review_send_back" if back else "admin:review_approve"
    version = review.article.version if version is None else version
    data = {
        "review_decision-version": version,
        "review_decision-comment": comment,
        "review_decision-publish_at": publish_at,
    }
    return post_as(client, user, reverse(name, args=[review.pk]), data)
