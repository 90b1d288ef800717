"""Lost-update protection (version checked on the server) and who-else-is-editing notices."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.conflicts import version_token
from articles.models import Article, Category, RevisionDetail
from articles.revisions import history, snapshot_of_version
from articles.services import EditConflict, save_article
from tests.admin_forms import change_form_data, change_url, rendered_form_data
from tests.factories import ArticleFactory, CategoryFactory, StaffFactory

pytestmark = pytest.mark.django_db

Kind = RevisionDetail.Kind


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def note(db):
    return ArticleFactory(title="DPO 笔记", body="## 概述\n\nDPO 直接优化偏好。", tags=["DPO"])


def editor(username):
    client = Client()
    client.force_login(StaffFactory(username=username))
    return client


def test_second_editor_gets_the_conflict_page_and_the_first_text_is_kept(note):
    alice, bob = editor("alice"), editor("bob")
    alice_form = change_form_data(alice, note, body="Alice 的正文：加入 \\(\\beta\\)。")
    bob_form = change_form_data(bob, note, body="Bob 的正文：换成 IPO。")

    assert alice.post(change_url(note), alice_form).status_code == 302
    response = bob.post(change_url(note), bob_form)

    assert response.status_code == 409
    note.refresh_from_db()
    assert note.body == "Alice 的正文：加入 \\(\\beta\\)。"
    page = response.content.decode()
    assert "Bob 的正文：换成 IPO。" in page and "Alice 的正文" in page  # side by side
    assert "alice" in page  # who saved in between
    assert "<ins>" in page or "<del>" in page  # and a diff of the two
    copy = history(note.pk)[0]
    assert copy.kind == Kind.CONFLICT and copy.version.revision.user.username == "bob"
    assert copy.snapshot.body == "Bob 的正文：换成 IPO。"
    # Bob's text can be found in the admin afterwards: the History lists the copy.
    assert (
        "Bob"
        in alice.get(reverse("admin:articles_article_history", args=[note.pk]))
        .context["entries"][0]
        .snapshot.body
    )


FIELD_EDITS = {
    "title": "Bob 改的标题",
    "slug": "bob-slug",
    "category": lambda: str(CategoryFactory(slug="bob-category").pk),
    "tags": "Bob标签",
    "body": "Bob 改的正文",
    "summary": "Bob 改的摘要",
    "status": "draft",
    "published_at_0": "2020-01-02",
    "author": lambda: str(StaffFactory(username="someone-else").pk),
}


@pytest.mark.parametrize("field", list(FIELD_EDITS))
def test_a_stale_form_is_refused_whatever_field_it_changes(note, field):
    alice, bob = editor("alice"), editor("bob")
    value = FIELD_EDITS[field]
    value = value() if callable(value) else value
    bob_form = change_form_data(bob, note, **{field: value})
    alice.post(change_url(note), change_form_data(alice, note, body="Alice 的正文"))
    stored = Article.objects.get(pk=note.pk)

    response = bob.post(change_url(note), bob_form)

    assert response.status_code == 409
    after = Article.objects.get(pk=note.pk)
    for name in ("title", "slug", "category_id", "body", "summary", "status", "author_id"):
        assert getattr(after, name) == getattr(stored, name)
    assert after.published_at == stored.published_at
    assert sorted(after.tags.names()) == ["DPO"]
    copy = snapshot_of_version(history(note.pk)[0].version)
    copy_date = copy.published_at and timezone.localtime(copy.published_at).date().isoformat()
    kept = {
        "title": copy.title,
        "slug": copy.slug,
        "category": str(copy.category_id),
        "tags": copy.display("tags"),
        "body": copy.body,
        "summary": copy.summary,
        "status": copy.status,
        "published_at_0": copy_date,
        "author": str(copy.author_id),
    }
    assert kept[field] == value


def test_two_tabs_of_the_same_editor_conflict_too(note, staff_client):
    first_tab = change_form_data(staff_client, note, body="第一个标签页")
    second_tab = change_form_data(staff_client, note, body="第二个标签页")
    assert staff_client.post(change_url(note), first_tab).status_code == 302
    assert staff_client.post(change_url(note), second_tab).status_code == 409
    note.refresh_from_db()
    assert note.body == "第一个标签页"


def test_a_form_left_open_overnight_saves_if_nobody_saved_and_conflicts_if_someone_did(note):
    alice, bob = editor("alice"), editor("bob")
    with time_machine.travel(timezone.now()) as clock:
        overnight = change_form_data(alice, note, body="第二天早上的正文")
        clock.shift(timedelta(hours=14))
        assert alice.post(change_url(note), overnight).status_code == 302

        evening = change_form_data(alice, note, body="晚上写的")
        clock.shift(timedelta(hours=1))
        # A bulk action in between saves the note too.
        bob.post(
            reverse("admin:articles_article_changelist"),
            {"action": "unpublish", "_selected_action": [note.pk]},
        )
        clock.shift(timedelta(hours=13))
        assert alice.post(change_url(note), evening).status_code == 409
    note.refresh_from_db()
    assert note.body == "第二天早上的正文" and note.status == "draft"


@pytest.mark.parametrize(
    "token",
    ["", "not-a-token", "1:1:forged", "other-note"],
    ids=["missing", "garbage", "bad-signature", "other-note"],
)
def test_a_missing_or_forged_version_is_refused_with_a_message_and_stores_nothing(
    note, staff_client, token
):
    data = change_form_data(staff_client, note, body="不该保存的正文")
    if token == "other-note":
        token = version_token(ArticleFactory())
    data["base_version"] = token
    if not token:
        del data["base_version"]
    before = Article.objects.get(pk=note.pk)

    response = staff_client.post(change_url(note), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["base_version"]
    assert "Nothing was saved" in errors[0]
    assert "不该保存的正文" in response.content.decode()  # the text stays in the form
    after = Article.objects.get(pk=note.pk)
    assert (after.body, after.version, after.updated_at) == (
        before.body,
        before.version,
        before.updated_at,
    )


def test_the_version_moves_by_one_per_save_and_a_stale_service_call_writes_nothing(note):
    save_article(note)
    assert Article.objects.get(pk=note.pk).version == 2
    stale = Article.objects.get(pk=note.pk)
    save_article(note, expected_version=2)
    stale.body = "旧版本上的修改"
    with pytest.raises(EditConflict) as raised:
        save_article(stale, expected_version=2)
    assert raised.value.current_version == 3
    assert Article.objects.get(pk=note.pk).body != "旧版本上的修改"


def test_taking_mine_saves_the_copy_over_theirs_and_keeps_theirs_in_history(note):
    alice, bob = editor("alice"), editor("bob")
    bob_form = change_form_data(bob, note, body="Bob 的版本", tags="DPO, RLHF")
    alice.post(change_url(note), change_form_data(alice, note, body="Alice 的版本"))
    conflict = bob.post(change_url(note), bob_form)
    take_mine = conflict.context["copy"]
    url = reverse("admin:articles_article_take_mine", args=[note.pk, take_mine.pk])

    response = bob.post(url, {"base_version": conflict.context["version_token"]})

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.body == "Bob 的版本" and sorted(note.tags.names()) == ["DPO", "RLHF"]
    bodies = [entry.snapshot.body for entry in history(note.pk)]
    assert bodies[:3] == ["Bob 的版本", "Bob 的版本", "Alice 的版本"]


def test_taking_mine_after_yet_another_save_conflicts_again(note):
    alice, bob = editor("alice"), editor("bob")
    bob_form = change_form_data(bob, note, body="Bob 的版本")
    alice.post(change_url(note), change_form_data(alice, note, body="Alice 一"))
    conflict = bob.post(change_url(note), bob_form)
    alice.post(change_url(note), change_form_data(alice, note, body="Alice 二"))
    url = reverse("admin:articles_article_take_mine", args=[note.pk, conflict.context["copy"].pk])

    response = bob.post(url, {"base_version": conflict.context["version_token"]})

    assert response.status_code == 409
    note.refresh_from_db()
    assert note.body == "Alice 二"
    forged = bob.post(url, {"base_version": "junk"}, follow=True)
    assert any("altered" in str(m) for m in forged.context["messages"])
    note.refresh_from_db()
    assert note.body == "Alice 二"


def test_merging_by_hand_shows_the_refused_text_beside_the_stored_note(note):
    alice, bob = editor("alice"), editor("bob")
    bob_form = change_form_data(bob, note, body="Bob 想要的段落")
    alice.post(change_url(note), change_form_data(alice, note, body="Alice 的版本"))
    copy = bob.post(change_url(note), bob_form).context["copy"]

    response = bob.get(change_url(note), {"conflict": copy.pk})

    assert response.context["conflict_copy"].body == "Bob 想要的段落"
    data = rendered_form_data(response)
    assert data["body"] == "Alice 的版本"  # the form itself holds the stored note
    assert bob.post(change_url(note), {**data, "body": "合并后的正文"}).status_code == 302


def test_a_note_deleted_while_edited_keeps_the_text_as_a_new_note_autosave(note):
    alice, bob = editor("alice"), editor("bob")
    bob_form = change_form_data(bob, note, body="Bob 写了一半")
    alice.post(reverse("admin:articles_article_delete", args=[note.pk]), {"post": "yes"})

    response = bob.post(change_url(note), bob_form, follow=True)

    assert response.status_code == 200  # redirected with a message, never a 500
    assert any("was deleted" in str(m) for m in response.context["messages"])
    offer = bob.get(reverse("admin:articles_article_add")).context["pending_autosave"]
    assert offer["autosave"].body == "Bob 写了一半"


def test_saving_a_deleted_notes_form_via_the_service_conflicts(note):
    stale = Article.objects.get(pk=note.pk)
    Article.objects.filter(pk=note.pk).delete()
    with pytest.raises(EditConflict) as raised:
        save_article(stale, expected_version=stale.version)
    assert raised.value.current_version is None


# --- Presence -------------------------------------------------------------------------------


def presence_url(note):
    return reverse("admin:articles_article_presence", args=[note.pk])


def test_the_change_form_names_the_other_editors_who_have_the_note_open(note):
    alice, bob = editor("alice"), editor("bob")
    alice.get(change_url(note))
    response = bob.get(change_url(note))
    assert response.context["other_editors"] == ["alice"]
    assert "Also editing this note right now" in response.content.decode()
    answer = alice.post(presence_url(note)).json()
    assert answer == {"editors": ["bob"], "version": note.version}


def test_presence_forgets_editors_who_left_or_went_quiet(note):
    alice, bob = editor("alice"), editor("bob")
    with time_machine.travel(timezone.now()) as clock:
        alice.post(presence_url(note))
        assert bob.post(presence_url(note)).json()["editors"] == ["alice"]
        alice.post(presence_url(note), {"leave": "1"})
        assert bob.post(presence_url(note)).json()["editors"] == []
        alice.post(presence_url(note))
        clock.shift(timedelta(seconds=80))
        assert bob.post(presence_url(note)).json()["editors"] == []


def test_presence_reports_a_newer_version_so_the_form_can_warn(note):
    alice = editor("alice")
    loaded = note.version
    save_article(note)
    assert alice.post(presence_url(note)).json()["version"] == loaded + 1


def test_presence_is_for_staff_only_with_csrf(note, django_user_model):
    assert Client().post(presence_url(note)).status_code == 403
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert reader.post(presence_url(note)).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(StaffFactory(username="alice"))
    assert strict.post(presence_url(note)).status_code == 403
    assert editor("bob").get(presence_url(note)).status_code == 405
    unknown = reverse("admin:articles_article_presence", args=[999])
    assert editor("bob").post(unknown).status_code == 404


def test_category_choices_survive_a_conflict_page_round_trip(note):
    """The conflict page is a 409 with the admin's look, not a bare error."""
    alice, bob = editor("alice"), editor("bob")
    bob_form = change_form_data(bob, note, category=str(Category.objects.get(slug="llm").pk))
    alice.post(change_url(note), change_form_data(alice, note, body="Alice"))
    response = bob.post(change_url(note), bob_form)
    assert response.status_code == 409
    assert "Save my text over theirs" in response.content.decode()
    assert "Merge by hand" in response.content.decode()
