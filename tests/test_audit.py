"""The audit trail: who did what, when, from which IP, for every admin change and every
refused attempt; append-only for all but the superuser."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, Category
from articles.services import save_article
from editorial.models import AuditEntry
from editorial.roles import CONTRIBUTOR, EDITOR
from tests.admin_forms import change_form_data, change_url
from tests.factories import CategoryFactory
from tests.factories_roles import note_of, role_user
from tests.test_import import SITE_PATHS, zip_upload
from tests.test_login_lockout import behind_one_proxy  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
Action = AuditEntry.Action


def login(user, **defaults):
    client = Client(**defaults)
    client.force_login(user)
    AuditEntry.objects.all().delete()  # force_login records nothing, but be sure
    return client


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


def test_a_form_save_records_who_what_ip_and_request_id():
    editor = role_user(EDITOR)
    note = note_of(editor)
    client = login(editor, REMOTE_ADDR="198.51.100.7")
    response = client.post(change_url(note), change_form_data(client, note, title="新标题"))
    assert response.status_code == 302
    (entry,) = entries(action=Action.CHANGE)
    assert entry.user == editor and entry.username == "editor"
    assert entry.object_id == str(note.pk) and entry.object_repr == "新标题"
    assert entry.content_type.model == "article" and "Title" in entry.summary
    assert entry.ip_address == "198.51.100.7" and len(entry.request_id) == 32


def test_the_ip_behind_the_proxy_is_the_clients(behind_one_proxy):  # noqa: F811
    editor = role_user(EDITOR)
    client = login(editor, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    category = {"name": "新类", "slug": "new", "position": 1}
    assert client.post(reverse("admin:articles_category_add"), category).status_code == 302
    (entry,) = entries(action=Action.ADDITION)
    assert entry.ip_address == "203.0.113.9" and entry.object_repr == "新类"


def test_bulk_actions_record_one_entry_per_note():
    editor = role_user(EDITOR)
    drafts = [note_of(editor) for _ in range(3)]
    client = login(editor)
    selected = [note.pk for note in drafts]
    client.post(CHANGELIST, {"action": "publish", "_selected_action": selected})
    assert sorted(int(e.object_id) for e in entries(action=Action.CHANGE)) == sorted(selected)
    client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": selected, "post": 1})
    assert not Article.objects.filter(pk__in=selected).exists()
    deleted = entries(action=Action.DELETION, content_type__model="article")
    assert sorted(int(e.object_id) for e in deleted) == sorted(selected)


def test_restore_and_recover_are_recorded():
    editor = role_user(EDITOR)
    note = note_of(editor, body="一")
    save_article(note, user=editor)
    note.body = "二"
    save_article(note, user=editor)
    client = login(editor)
    first = Version.objects.get_for_object(note).order_by("pk").first()
    client.post(reverse("admin:articles_article_restore", args=[note.pk, first.pk]))
    (restored,) = entries(action=Action.CHANGE)
    assert "Restored" in restored.summary and restored.object_id == str(note.pk)
    client.post(reverse("admin:articles_article_delete", args=[note.pk]), {"post": "yes"})
    deleted = Version.objects.get_deleted(Article).first()
    client.post(reverse("admin:articles_article_recover", args=[deleted.pk]))
    (recovered,) = entries(action=Action.ADDITION)
    assert "Recovered" in recovered.summary and Article.objects.filter(pk=note.pk).exists()


def test_an_import_is_recorded(media_root):
    client = login(role_user(EDITOR))
    url = reverse("admin:transfer_import")
    page = client.post(url, {"file": zip_upload(SITE_PATHS["hugo"]), "format": "auto",
                             "status": "keep"})  # fmt: skip
    client.post(url, {"confirm": page.context["confirm"]})
    (entry,) = entries(action=Action.IMPORT)
    assert "3 created" in entry.summary and entry.username == "editor"


def test_categories_tags_users_and_groups_are_recorded():
    superuser = role_user("superuser", "root")
    client = login(superuser)
    category, tag = CategoryFactory(), Tag.objects.create(name="旧", slug="old")
    client.post(reverse("admin:articles_category_delete", args=[category.pk]), {"post": "yes"})
    client.post(reverse("admin:taggit_tag_delete", args=[tag.pk]), {"post": "yes"})
    group = Group.objects.get(name=CONTRIBUTOR)
    client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Contributor", "permissions": []},
    )
    writer = role_user(CONTRIBUTOR, "writer")
    client.post(reverse("admin:auth_user_delete", args=[writer.pk]), {"post": "yes"})
    recorded = {(e.action, e.content_type.model) for e in AuditEntry.objects.all()}
    assert {
        (Action.DELETION, "category"),
        (Action.DELETION, "tag"),
        (Action.CHANGE, "group"),
        (Action.DELETION, "user"),
    } <= recorded
    assert not Category.objects.filter(pk=category.pk).exists()


def test_forbidden_attempts_are_recorded_and_change_nothing():
    writer, other = role_user(CONTRIBUTOR), role_user(EDITOR, "boss")
    theirs, mine = note_of(other, title="别人的"), note_of(writer)
    client = login(writer)
    assert client.get(change_url(theirs)).status_code == 403
    forged = change_form_data(client, mine, status="published")
    assert client.post(change_url(mine), forged).status_code == 403
    autosave = client.post(reverse("admin:articles_article_autosave"), {"article": theirs.pk})
    assert autosave.status_code == 403
    forbidden = entries(action=Action.FORBIDDEN)
    assert len(forbidden) == 3 and {e.username for e in forbidden} == {"contributor"}
    assert "someone else's note" in forbidden[0].summary
    assert "may not set status" in forbidden[1].summary
    assert f"may not edit note {theirs.pk}" in forbidden[2].summary
    assert Article.objects.get(pk=mine.pk).status == "draft"


def test_logins_logouts_and_lockouts_are_recorded(settings):
    user = role_user(EDITOR)
    client = Client()
    login_url = reverse("admin:login")
    password = "correct horse battery staple"
    client.post(login_url, {"username": "editor", "password": password}, REMOTE_ADDR="192.0.2.1")
    client.post(reverse("admin:logout"))
    assert [e.action for e in entries(user=user)] == [Action.LOGIN, Action.LOGOUT]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(login_url, {"username": "editor", "password": "no"}, REMOTE_ADDR="192.0.2.2")
    (lockout,) = entries(action=Action.LOCKOUT)
    assert lockout.username == "editor" and lockout.ip_address == "192.0.2.2"


def test_the_audit_admin_is_read_only_but_a_superuser_may_prune():
    editor, root = role_user(EDITOR), role_user("superuser", "root")
    client = login(editor)
    entry = AuditEntry.objects.create(action=Action.LOGIN, username="someone")
    changelist = reverse("admin:editorial_auditentry_changelist")
    listing = client.get(changelist, {"action__exact": "login", "q": "someone"})
    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == [entry]
    change = reverse("admin:editorial_auditentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200  # read-only view
    assert client.post(change, {"username": "x"}).status_code == 403
    assert client.get(reverse("admin:editorial_auditentry_add")).status_code == 403
    delete = reverse("admin:editorial_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).username == "someone"
    assert login(root).post(delete, {"post": "yes"}).status_code == 302
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()
    assert login(role_user(CONTRIBUTOR)).get(changelist).status_code == 403


def test_a_user_with_notes_is_reassigned_then_deleted_and_their_entries_stay():
    root, editor = role_user("superuser", "root"), role_user(EDITOR, "chief")
    writer = role_user(CONTRIBUTOR, "guest")
    notes = [note_of(writer), note_of(writer, draft=False)]
    client = login(root)
    AuditEntry.objects.create(action=Action.LOGIN, user=writer, username="guest")
    delete = reverse("admin:auth_user_delete", args=[writer.pk])
    refused = client.post(delete, {"post": "yes"})  # refused: protected notes
    assert refused.status_code == 200 and "Reassign their notes to an editor" in refused.text
    assert get_user_model().objects.filter(pk=writer.pk).exists()
    users = reverse("admin:auth_user_changelist")
    confirm = client.post(users, {"action": "reassign", "_selected_action": [writer.pk]})
    assert confirm.status_code == 200 and "chief" in confirm.text
    done = client.post(
        users, {"action": "reassign", "_selected_action": [writer.pk], "to": editor.pk}
    )
    assert done.status_code == 302
    assert {n.author_id for n in Article.objects.filter(pk__in=[n.pk for n in notes])} == {
        editor.pk
    }
    (reassigned,) = entries(action=Action.REASSIGN)
    assert "2 note(s)" in reassigned.summary and reassigned.object_repr == "guest"
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert AuditEntry.objects.filter(username="guest", user=None).exists()
