"""The permission matrix: every role × every action, on the server (status code AND what is
stored). Contributor: own drafts; Author: own notes, publishes them; Editor: everything."""

import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from PIL import Image
from taggit.models import Tag

from articles.models import Article, Category
from articles.services import save_article
from editorial.roles import AUTHOR, CONTRIBUTOR, EDITOR, ROLES, sync_roles
from tests.admin_forms import change_form_data, change_url, rendered_form_data
from tests.factories import CategoryFactory, StaffFactory
from tests.factories_roles import ROLES as ALL_ROLES
from tests.factories_roles import WRITERS, note_of, role_user

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")
EDITORS = [EDITOR, "superuser"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    """Another writer, whose notes nobody but an editor may touch."""
    return role_user(AUTHOR, "someone-else")


def login(user):
    client = Client()
    client.force_login(user)
    return client


def stored(note):
    return Article.objects.values("title", "body", "status", "author_id").get(pk=note.pk)


# --- The groups ---


def test_the_migration_made_the_three_roles_with_their_permissions(db):
    perms = {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }
    assert {"articles.add_article", "articles.change_article"} <= perms[CONTRIBUTOR]
    assert "articles.publish_article" not in perms[CONTRIBUTOR]
    assert perms[AUTHOR] == perms[CONTRIBUTOR] | {"articles.publish_article"}
    assert {"articles.edit_any_article", "articles.add_category", "taggit.delete_tag"} <= perms[
        EDITOR
    ]
    assert not any(name.endswith("_category") and "view" not in name for name in perms[AUTHOR])


def test_sync_puts_the_groups_back_in_step(db):
    from django.apps import apps

    editor = Group.objects.get(name=EDITOR)
    editor.permissions.clear()
    contributor = Group.objects.get(name=CONTRIBUTOR)
    contributor.permissions.add(*Group.objects.get(name=EDITOR).permissions.all())
    sync_roles(apps, ROLES)
    assert editor.permissions.filter(codename="edit_any_article").exists()
    assert not contributor.permissions.filter(codename="publish_article").exists()


# --- Seeing notes ---


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_list_and_its_search_show_a_writer_only_their_notes(role, other, committing):
    user = role_user(role)
    with committing():  # the search index is written on commit
        mine, theirs = note_of(user, title="Mine 注意力"), note_of(other, title="Theirs 注意力")
    client = login(user)
    listed = set(client.get(CHANGELIST).context["cl"].result_list)
    found = set(client.get(CHANGELIST, {"q": "注意力"}).context["cl"].result_list)
    expected = {mine} if role in WRITERS else {mine, theirs}
    assert listed == expected and found == expected


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(
    "page", ["change", "history", "delete", "compare", "presence", "autosave", "restore"]
)
def test_someone_elses_note_by_url_is_refused_to_writers(role, page, other):
    user = role_user(role)
    theirs = note_of(other)
    save_article(theirs, user=other)
    client, before = login(user), stored(theirs)
    version = theirs.pk
    from reversion.models import Version

    version = Version.objects.get_for_object(theirs).first().pk
    requests = {
        "change": lambda: client.get(change_url(theirs)),
        "history": lambda: client.get(reverse("admin:articles_article_history", args=[theirs.pk])),
        "delete": lambda: client.post(
            reverse("admin:articles_article_delete", args=[theirs.pk]), {"post": "yes"}
        ),
        "compare": lambda: client.get(reverse("admin:articles_article_compare", args=[theirs.pk])),
        "presence": lambda: client.post(
            reverse("admin:articles_article_presence", args=[theirs.pk])
        ),
        "autosave": lambda: client.post(
            reverse("admin:articles_article_autosave"), {"article": theirs.pk, "body": "x"}
        ),
        "restore": lambda: client.post(
            reverse("admin:articles_article_restore", args=[theirs.pk, version])
        ),
    }
    response = requests[page]()
    if role in WRITERS:
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302)
    if role in WRITERS or page not in ("delete", "restore"):
        assert stored(theirs) == before


# --- Editing and publishing ---


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_edits_their_own_draft(role):
    user = role_user(role)
    mine = note_of(user)
    client = login(user)
    response = client.post(change_url(mine), change_form_data(client, mine, body="新的正文"))
    assert response.status_code == 302
    assert stored(mine)["body"] == "新的正文" and stored(mine)["status"] == "draft"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_editing_someone_elses_note_is_an_editors(role, other):
    user = role_user(role)
    theirs = note_of(other)
    client = login(user)
    if role in WRITERS:
        editor = login(role_user(EDITOR, "the-editor"))
        data = change_form_data(editor, theirs, body="改写")
        assert client.post(change_url(theirs), data).status_code == 403
        assert stored(theirs)["body"] != "改写"
    else:
        data = change_form_data(client, theirs, body="改写")
        assert client.post(change_url(theirs), data).status_code == 302
        assert stored(theirs)["body"] == "改写"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_a_forged_status_is_refused_to_a_contributor(role):
    user = role_user(role)
    mine = note_of(user)
    client = login(user)
    data = change_form_data(client, mine, body="发布", status="published")
    if role == CONTRIBUTOR:
        assert "status" not in rendered_form_data(client.get(change_url(mine)))
        assert client.post(change_url(mine), data).status_code == 403
        assert stored(mine)["status"] == "draft" and stored(mine)["body"] != "发布"
    else:
        assert client.post(change_url(mine), data).status_code == 302
        assert stored(mine)["status"] == "published"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_a_contributors_new_note_is_a_draft_of_theirs_whatever_is_posted(role, other):
    user = role_user(role)
    client = login(user)
    data = rendered_form_data(client.get(ADD))
    category = CategoryFactory()
    data.update(title="新笔记", body="正文", category=str(category.pk))
    forged = {"status": "published", "author": str(other.pk)}
    response = client.post(ADD, {**data, **forged})
    if role in EDITORS:
        assert response.status_code == 302
        assert Article.objects.get(title="新笔记").author == other
    else:
        assert response.status_code == 403
        assert not Article.objects.filter(title="新笔记").exists()
        assert client.post(ADD, data).status_code == 302
        note = Article.objects.get(title="新笔记")
        assert note.author == user and note.status == "draft"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_changing_the_author_is_an_editors(role, other):
    user = role_user(role)
    mine = note_of(user)
    client = login(user)
    data = change_form_data(client, mine, author=str(other.pk))
    response = client.post(change_url(mine), data)
    if role in EDITORS:
        assert response.status_code == 302 and stored(mine)["author_id"] == other.pk
    else:
        assert response.status_code == 403 and stored(mine)["author_id"] == user.pk


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_publishing_actions(role, whose, action, other):
    user = role_user(role)
    note = note_of(user if whose == "own" else other, draft=action == "publish")
    client = login(user)
    response = client.post(CHANGELIST, {"action": action, "_selected_action": [note.pk]})
    allowed = role in EDITORS or (role == AUTHOR and whose == "own")
    expected = {"publish": "published", "unpublish": "draft"}[action]
    if allowed:
        assert response.status_code == 302 and stored(note)["status"] == expected
    else:
        assert response.status_code == 403 and stored(note)["status"] != expected


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("which", ["own draft", "own published", "other"])
def test_deleting(role, which, other):
    user = role_user(role)
    note = {
        "own draft": lambda: note_of(user),
        "own published": lambda: note_of(user, draft=False),
        "other": lambda: note_of(other),
    }[which]()
    client = login(user)
    url = reverse("admin:articles_article_delete", args=[note.pk])
    response = client.post(url, {"post": "yes"})
    bulk = login(user).post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [note.pk], "post": "yes"}
    )
    allowed = role in EDITORS or which == "own draft"
    if allowed:
        assert response.status_code == 302 and not Article.objects.filter(pk=note.pk).exists()
    else:
        assert response.status_code == 403 and bulk.status_code == 403
        assert Article.objects.filter(pk=note.pk).exists()


def test_a_contributor_cannot_bulk_delete_an_own_published_note_among_drafts():
    user = role_user(CONTRIBUTOR)
    draft, published = note_of(user), note_of(user, draft=False)
    response = login(user).post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [draft.pk, published.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Article.objects.filter(pk__in=[draft.pk, published.pk]).count() == 2


def test_a_contributors_published_note_is_read_only_to_them():
    user = role_user(CONTRIBUTOR)
    note = note_of(user, draft=False)
    client = login(user)
    page = client.get(change_url(note))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    editor_data = change_form_data(login(role_user(EDITOR)), note, body="改")
    editor_data = {k: v for k, v in editor_data.items() if k not in ("status", "author")}
    assert client.post(change_url(note), editor_data).status_code == 403
    assert stored(note)["body"] != "改"


# --- Restore, autosave, preview, upload ---


@pytest.mark.parametrize("role", ALL_ROLES)
def test_restoring_an_own_revision(role):
    user = role_user(role)
    note = note_of(user, body="第一版")
    save_article(note, user=user)
    note.body = "第二版"
    save_article(note, user=user)
    from reversion.models import Version

    first = Version.objects.get_for_object(note).order_by("pk").first()
    response = login(user).post(reverse("admin:articles_article_restore", args=[note.pk, first.pk]))
    assert response.status_code == 302 and stored(note)["body"] == "第一版"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_autosave_of_an_own_note_and_a_new_one(role):
    user = role_user(role)
    mine = note_of(user)
    client = login(user)
    url = reverse("admin:articles_article_autosave")
    assert client.post(url, {"article": mine.pk, "body": "草稿"}).status_code == 200
    assert client.post(url, {"body": "新的"}).status_code == 200


@pytest.mark.parametrize("role", [*ALL_ROLES, "no role"])
def test_markdownx_preview_is_for_writers(role):
    user = StaffFactory(username="nobody", is_superuser=False) if role == "no role" else None
    client = login(user or role_user(role))
    response = client.post(reverse("markdownx_markdownify"), {"content": "$x^2$"})
    assert response.status_code == (403 if role == "no role" else 200)


def png_of(size):
    """A valid PNG of about ``size`` bytes (noise does not compress)."""
    side = int((size / 3) ** 0.5) + 1
    image = Image.frombytes("RGB", (side, side), __import__("os").urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "big.png"
    return buffer


@pytest.mark.parametrize("role", [*ALL_ROLES, "no role"])
def test_upload_cap_for_contributors(role, settings, media_root):
    settings.CONTRIBUTOR_UPLOAD_MAX_BYTES = 200_000
    user = StaffFactory(username="nobody", is_superuser=False) if role == "no role" else None
    client = login(user or role_user(role))
    url = reverse("markdownx_upload")
    small = client.post(url, {"image": png_of(20_000)})
    big = client.post(url, {"image": png_of(300_000)})
    if role == "no role":
        assert small.status_code == big.status_code == 403
    elif role == CONTRIBUTOR:
        assert small.status_code == 200 and big.status_code == 413
        assert "上限" in big.json()["image"][0]
    else:
        assert small.status_code == big.status_code == 200
    stored_files = list((media_root / settings.MARKDOWNX_MEDIA_PATH).glob("*.png"))
    expected = {"no role": 0, CONTRIBUTOR: 1}.get(role, 2)
    assert len(stored_files) == expected


# --- Import, categories, tags ---


@pytest.mark.parametrize("role", ALL_ROLES)
def test_import_is_an_editors(role):
    response = login(role_user(role)).get(reverse("admin:transfer_import"))
    assert response.status_code == (200 if role in EDITORS else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_export_exports_what_one_sees(role, other):
    user = role_user(role)
    mine, theirs = note_of(user), note_of(other)
    response = login(user).post(
        CHANGELIST,
        {"action": "export_notes_zip", "_selected_action": [mine.pk], "export_format": "hugo"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    forged = login(user).post(
        CHANGELIST,
        {"action": "export_notes_zip", "_selected_action": [theirs.pk], "export_format": "hugo"},
    )
    assert forged.status_code == (403 if role in WRITERS else 200)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_categories_are_managed_by_editors(role):
    client = login(role_user(role))
    category = CategoryFactory(name="旧名")
    url = reverse("admin:articles_category_change", args=[category.pk])
    response = client.post(url, {"name": "新名", "slug": category.slug, "position": 1})
    added = client.post(
        reverse("admin:articles_category_add"), {"name": "新类", "slug": "new", "position": 2}
    )
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "article", "field_name": "category"},
    )
    assert autocomplete.status_code == 200  # writers pick categories in the note form
    category.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == added.status_code == 302 and category.name == "新名"
    else:
        assert response.status_code == added.status_code == 403 and category.name == "旧名"
        assert not Category.objects.filter(slug="new").exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_tags_are_managed_by_editors_and_writers_tag_their_notes(role):
    user = role_user(role)
    client = login(user)
    tag, doomed = Tag.objects.create(name="旧标签", slug="old"), Tag.objects.create(name="删")
    added = client.post(reverse("admin:taggit_tag_add"), {"name": "加", "slug": "add"})
    response = client.post(reverse("admin:taggit_tag_delete", args=[doomed.pk]), {"post": "yes"})
    if role in EDITORS:
        assert response.status_code == 302 and not Tag.objects.filter(pk=doomed.pk).exists()
    else:
        assert response.status_code == added.status_code == 403
        assert Tag.objects.filter(pk=doomed.pk).exists() and not Tag.objects.filter(slug="add")
    mine = note_of(user)
    client.post(change_url(mine), change_form_data(client, mine, tags="新标签, 旧标签"))
    assert sorted(mine.tags.names()) == sorted(["新标签", tag.name])


# --- Roles change: the next request knows ---


def test_removing_a_role_takes_effect_on_the_next_request(other):
    user = role_user(EDITOR, "was-editor")
    theirs = note_of(other)
    client = login(user)
    assert client.get(change_url(theirs)).status_code == 200
    user.groups.clear()
    assert client.get(change_url(theirs)).status_code == 403
    assert client.get(CHANGELIST).status_code == 403


def test_a_deactivated_writer_is_refused_everywhere():
    user = role_user(AUTHOR)
    mine = note_of(user)
    client = login(user)
    user.is_active = False
    user.save()
    autosave = client.post(reverse("admin:articles_article_autosave"), {"article": mine.pk})
    assert autosave.status_code == 403
    assert client.get(change_url(mine)).status_code == 302  # the admin's login page


@pytest.mark.parametrize("role", ALL_ROLES)
def test_on_the_site_a_writer_previews_only_their_own_drafts(role, other):
    user = role_user(role)
    mine, theirs = note_of(user, slug="mine"), note_of(other, slug="theirs")
    client = login(user)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == (404 if role in WRITERS else 200)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_recovering_deleted_notes(role, other):
    from reversion.models import Version

    user = role_user(role)
    mine_draft, mine_published, theirs = note_of(user), note_of(user, draft=False), note_of(other)
    editor = login(role_user(EDITOR, "deleter"))
    for note in (mine_draft, mine_published, theirs):
        editor.post(reverse("admin:articles_article_delete", args=[note.pk]), {"post": "yes"})
    deleted = {int(v.object_id): v for v in Version.objects.get_deleted(Article)}
    client = login(user)
    listed = client.get(reverse("admin:articles_article_recoverlist")).context["deleted"]
    may = {
        CONTRIBUTOR: {mine_draft.pk},
        AUTHOR: {mine_draft.pk, mine_published.pk},
    }.get(role, {mine_draft.pk, mine_published.pk, theirs.pk})
    assert {int(v.object_id) for v in listed} == may
    for pk, version in deleted.items():
        response = client.post(reverse("admin:articles_article_recover", args=[version.pk]))
        assert response.status_code == (302 if pk in may else 403)
        assert Article.objects.filter(pk=pk).exists() == (pk in may)


@pytest.mark.parametrize("role", WRITERS)
def test_a_conflict_copy_cannot_bring_back_what_the_writer_may_not_set(role):
    from articles.conflicts import version_token
    from articles.revisions import store_conflict_copy

    user = role_user(role)
    note = note_of(user)
    save_article(note, user=user)
    note.refresh_from_db()
    submitted = Article.objects.get(pk=note.pk)
    submitted.status, submitted.body = Article.Status.PUBLISHED, "我的版本"
    copy = store_conflict_copy(submitted, tags=[], user=user, current_version=note.version)
    url = reverse("admin:articles_article_take_mine", args=[note.pk, copy.pk])
    response = login(user).post(url, {"base_version": version_token(note)})
    if role == CONTRIBUTOR:
        assert response.status_code == 403
        assert stored(note)["status"] == "draft" and stored(note)["body"] != "我的版本"
    else:
        assert response.status_code == 302
        assert stored(note)["status"] == "published" and stored(note)["body"] == "我的版本"


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
def test_preview_links_for_notes_one_may_edit(role, whose, other):
    from review.models import PreviewLink

    user = role_user(role)
    note = note_of(user if whose == "own" else other)
    url = reverse("admin:review_link_create", args=[note.pk])
    response = login(user).post(url, {"review_link-days": 7})
    allowed = whose == "own" or role in EDITORS
    assert response.status_code == (302 if allowed else 403)
    assert PreviewLink.objects.filter(article=note).exists() == allowed
