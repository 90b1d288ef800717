"""Autosave: the editor's unsaved text kept per user and note, offered back, pruned."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import autosave
from articles.models import Article, Autosave
from articles.services import save_article
from tests.admin_forms import change_form_data, change_url
from tests.factories import ArticleFactory, StaffFactory

pytestmark = pytest.mark.django_db

AUTOSAVE_URL = reverse("admin:articles_article_autosave")
DISCARD_URL = reverse("admin:articles_article_autosave_discard")
ADD_URL = reverse("admin:articles_article_add")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def note(db):
    return ArticleFactory(title="LoRA 笔记", body="## 概述\n\n低秩适配。", tags=["LoRA"])


def send(client, note=None, **fields):
    data = {"article": note.pk if note else "", "base_version": note.version if note else ""}
    data |= {"title": "LoRA 笔记", "tags": "LoRA", "body": "", "summary": ""} | fields
    return client.post(AUTOSAVE_URL, data)


def test_an_autosave_is_stored_per_user_and_note_and_is_not_a_revision(staff_client, note):
    assert send(staff_client, note, body="第一次自动保存").status_code == 200
    response = send(staff_client, note, body="第二次自动保存 \\(W = W_0 + BA\\)")

    assert response.status_code == 200 and "saved_at" in response.json()
    (saved,) = Autosave.objects.all()
    assert (saved.article, saved.user.username) == (note, "editor")
    assert saved.body == "第二次自动保存 \\(W = W_0 + BA\\)"
    assert saved.base_version == note.version
    stored = Article.objects.get(pk=note.pk)
    assert (stored.body, stored.version) == (note.body, note.version)  # not published
    assert not Version.objects.exists()  # and not a revision


def test_reopening_the_note_offers_the_newer_text_with_a_diff(staff_client, note):
    send(staff_client, note, body="## 概述\n\n低秩适配：只训练 \\(B\\) 和 \\(A\\)。")

    response = staff_client.get(change_url(note))

    offer = response.context["pending_autosave"]
    assert offer["autosave"].body.endswith("\\(A\\)。")
    assert not offer["stale"]
    (change,) = offer["changes"]
    assert change.name == "body" and "<ins>" in change.diff_html
    page = response.content.decode()
    assert 'id="autosave-data"' in page and "Put this text in the form" in page


def test_an_expired_session_keeps_the_autosave_for_the_next_login(note):
    client = Client()
    client.force_login(StaffFactory(username="editor"))
    send(client, note, body="会话过期前打的字")
    client.logout()  # the session is gone, as when it expires
    assert send(client, note, body="过期之后").status_code == 403

    client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "correct horse battery staple"},
    )
    offer = client.get(change_url(note)).context["pending_autosave"]
    assert offer["autosave"].body == "会话过期前打的字"


def test_saving_the_note_removes_the_autosave(staff_client, note):
    send(staff_client, note, body="草稿")
    data = change_form_data(staff_client, note, body="保存的正文")
    assert staff_client.post(change_url(note), data).status_code == 302
    assert not Autosave.objects.exists()


def test_an_autosave_with_the_stored_text_is_not_offered_and_is_dropped(staff_client, note):
    send(staff_client, note, body=note.body.replace("\n\n", "\n \n"))  # whitespace only
    assert staff_client.get(change_url(note)).context["pending_autosave"] is None
    assert not Autosave.objects.exists()


def test_an_autosave_older_than_someone_elses_save_is_offered_with_a_warning(staff_client, note):
    send(staff_client, note, body="我的未保存文字")
    note.body = "别人保存的"
    save_article(note)
    offer = staff_client.get(change_url(note)).context["pending_autosave"]
    assert offer["autosave"].body == "我的未保存文字" and offer["stale"]


def test_a_new_notes_autosave_is_offered_on_the_add_page(staff_client):
    assert send(staff_client, None, title="还没保存的新笔记", body="正文").status_code == 200
    offer = staff_client.get(ADD_URL).context["pending_autosave"]
    assert offer["autosave"].title == "还没保存的新笔记" and offer["autosave"].article is None
    send(staff_client, None, title="覆盖", body="新的")
    assert Autosave.objects.count() == 1  # one new-note autosave per user


def test_other_users_autosaves_are_theirs(staff_client, note):
    other = Client()
    other.force_login(StaffFactory(username="other"))
    send(other, note, body="别人的草稿")
    assert staff_client.get(change_url(note)).context["pending_autosave"] is None


def test_discarding_removes_only_that_autosave(staff_client, note):
    send(staff_client, note, body="丢掉")
    send(staff_client, None, body="留着")
    response = staff_client.post(DISCARD_URL, {"article": note.pk})
    assert response.json() == {"discarded": True}
    assert list(Autosave.objects.values_list("body", flat=True)) == ["留着"]


def test_anonymous_and_non_staff_requests_get_403(note, django_user_model):
    assert send(Client(), note, body="x").status_code == 403
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert send(reader, note, body="x").status_code == 403
    assert reader.post(DISCARD_URL, {"article": note.pk}).status_code == 403
    assert not Autosave.objects.exists()


def test_staff_without_the_change_permission_get_403(client, note):
    viewer = StaffFactory(username="viewer", is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="add_article"))
    client.force_login(viewer)
    assert send(client, note, body="x").status_code == 403  # changing needs change_article
    assert send(client, None, body="新笔记").status_code == 200  # adding needs add_article


def test_autosave_needs_csrf_and_post(note):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(StaffFactory(username="editor"))
    assert send(strict, note, body="x").status_code == 403
    page = strict.get(change_url(note))
    token = page.context["csrf_token"]
    response = strict.post(
        AUTOSAVE_URL, {"article": note.pk, "body": "有令牌", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    assert strict.get(AUTOSAVE_URL).status_code == 405


def test_autosave_is_size_capped_like_the_form(staff_client, note):
    response = send(staff_client, note, title="标" * 201)
    assert response.status_code == 400 and "title" in response.json()["fields"]
    response = send(staff_client, note, body="长" * (autosave.body_max_length() + 1))
    assert response.status_code == 400 and "body" in response.json()["fields"]
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = staff_client.post(
        AUTOSAVE_URL, data=too_big, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert send(staff_client, None, article="999999").status_code == 400
    assert not Autosave.objects.exists()


def test_autosave_is_rate_limited(staff_client, note):
    with time_machine.travel(timezone.now().replace(second=0)):
        codes = [send(staff_client, note, body=f"第 {n} 次").status_code for n in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429
    assert Autosave.objects.get().body == "第 29 次"


def test_prune_deletes_autosaves_older_than_30_days(staff_client, note):
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        send(staff_client, None, body="很久以前")
    send(staff_client, note, body="最近")
    out = StringIO()

    call_command("prune_autosaves", "--dry-run", stdout=out)
    assert "1 autosave(s) older than 30 days would be deleted" in out.getvalue()
    assert Autosave.objects.count() == 2
    call_command("prune_autosaves", stdout=out)
    assert list(Autosave.objects.values_list("body", flat=True)) == ["最近"]
    assert autosave.prune_autosaves(timedelta(days=0)) == 1
    with pytest.raises(CommandError):
        call_command("prune_autosaves", "--days", "0")


def test_a_view_only_change_page_does_not_autosave(client, staff_client, note):
    assert "data-autosave-url" in staff_client.get(change_url(note)).content.decode()
    viewer = StaffFactory(username="viewer", is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    page = client.get(change_url(note))
    assert page.status_code == 200 and "data-autosave-url" not in page.content.decode()


def test_deleting_a_note_keeps_its_autosaves_as_new_note_autosaves(staff_client, note):
    send(staff_client, note, body="删除前没保存的文字")
    staff_client.post(reverse("admin:articles_article_delete", args=[note.pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=note.pk).exists()
    offer = staff_client.get(ADD_URL).context["pending_autosave"]
    assert offer["autosave"].body == "删除前没保存的文字"
