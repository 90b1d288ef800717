"""Shareable preview links: a draft read without an account, as the note page shows it;
expired, revoked, tampered and other-note tokens are the site's 404; never cached, noindex."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.services import save_article
from review.models import PREVIEW_SIGNING_SALT, PreviewLink
from tests.factories import ArticleFactory
from tests.factories_review import contributor, editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    return contributor()


@pytest.fixture
def draft(writer):
    return ArticleFactory(
        title="扩散模型草稿",
        slug="diffusion-draft",
        author=writer,
        draft=True,
        published_at=None,
        body="## 前向过程\n\n噪声 $q(x_t\\mid x_{t-1})$ 逐步加入。",
        tags=["扩散"],
    )


def make_link(writer, article, days=""):
    client = Client()
    client.force_login(writer)
    url = reverse("admin:review_link_create", args=[article.pk])
    return client.post(url, {"review_link-days": days or 7})


def preview_url(link):
    return reverse("review:preview", kwargs={"token": link.token})


def assert_not_found(response):
    assert response.status_code == 404
    page = response.content.decode()
    assert "扩散模型草稿" not in page and "前向过程" not in page


def test_the_writer_makes_a_link_that_works_without_an_account(writer, draft):
    assert make_link(writer, draft).status_code == 302
    link = PreviewLink.objects.get()
    assert link.created_by == writer
    assert link.expires_at - link.created_at == timedelta(days=7)
    response = Client().get(preview_url(link))
    assert response.status_code == 200
    assert "articles/article_detail.html" in [template.name for template in response.templates]
    page = response.content.decode()
    assert "扩散模型草稿" in page and 'class="katex"' in page  # typeset, as on the page
    assert 'class="draft-banner"' in page
    assert '<meta name="robots" content="noindex' in page
    assert response["X-Robots-Tag"] == "noindex"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_panel_lists_the_links_with_their_urls(client, writer, draft):
    make_link(writer, draft, days=3)
    link = PreviewLink.objects.get()
    assert link.expires_at - link.created_at == timedelta(days=3)
    client.force_login(writer)
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk])).content.decode()
    assert f"http://testserver{preview_url(link)}" in page
    assert reverse("admin:review_link_revoke", args=[link.pk]) in page


def test_the_default_term_is_the_setting(settings, writer, draft):
    settings.PREVIEW_LINK_MAX_AGE_DAYS = 2
    client = Client()
    client.force_login(writer)
    client.post(reverse("admin:review_link_create", args=[draft.pk]), {"review_link-days": 2})
    link = PreviewLink.objects.get()
    assert link.expires_at - link.created_at == timedelta(days=2)
    response = client.post(
        reverse("admin:review_link_create", args=[draft.pk]), {"review_link-days": 365}
    )
    assert response.status_code == 400 and PreviewLink.objects.count() == 1


def test_the_link_expires(writer, draft):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        make_link(writer, draft)
        link = PreviewLink.objects.get()
        clock.move_to(start + timedelta(days=7) - timedelta(seconds=1))
        assert Client().get(preview_url(link)).status_code == 200
        clock.move_to(start + timedelta(days=7))
        assert_not_found(Client().get(preview_url(link)))


def test_a_revoked_link_is_a_404(writer, draft):
    make_link(writer, draft)
    link = PreviewLink.objects.get()
    client = Client()
    client.force_login(writer)
    assert client.post(reverse("admin:review_link_revoke", args=[link.pk])).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == writer
    assert_not_found(Client().get(preview_url(link)))
    # Revoking twice says so.
    assert client.post(reverse("admin:review_link_revoke", args=[link.pk])).status_code == 409


def test_only_who_may_edit_the_note_makes_or_revokes_links(writer, draft):
    make_link(writer, draft)
    link = PreviewLink.objects.get()
    stranger = contributor("stranger")
    assert make_link(stranger, draft).status_code == 403
    client = Client()
    client.force_login(stranger)
    assert client.post(reverse("admin:review_link_revoke", args=[link.pk])).status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None and PreviewLink.objects.count() == 1


def test_tampered_and_other_note_tokens_are_a_404(writer, draft):
    make_link(writer, draft)
    link = PreviewLink.objects.get()
    other = ArticleFactory(author=writer, draft=True, published_at=None, title="别的草稿")
    token = link.token
    for bad in [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        token.replace(f"{link.pk}.", f"{link.pk + 1}.", 1),  # another link's id, same signature
        signing.Signer(salt="another.salt").sign(f"{link.pk}.{draft.pk}"),
        # Correctly signed but naming another note than the link's: not this link.
        signing.Signer(salt=PREVIEW_SIGNING_SALT).sign(f"{link.pk}.{other.pk}"),
        "not-a-token",
    ]:
        response = Client().get(reverse("review:preview", kwargs={"token": bad}))
        assert_not_found(response)
        assert "别的草稿" not in response.content.decode()


def test_the_latest_saved_text_is_shown(writer, draft):
    make_link(writer, draft)
    link = PreviewLink.objects.get()
    draft.body = "## 反向过程\n\n去噪网络 $\\epsilon_\\theta$。"
    draft.title = "扩散模型草稿（第二稿）"
    save_article(draft, user=writer)
    page = Client().get(preview_url(link)).content.decode()
    assert "第二稿" in page and "反向过程" in page and "前向过程" not in page


def test_a_published_note_redirects_to_its_page(writer, draft):
    make_link(writer, draft)
    link = PreviewLink.objects.get()
    draft.status = draft.Status.PUBLISHED
    save_article(draft)
    response = Client().get(preview_url(link))
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    # And no new link for a public note.
    assert make_link(writer, draft).status_code in (403, 409)


def test_a_scheduled_note_is_still_previewed(writer, draft):
    make_link(writer, draft)
    link = PreviewLink.objects.get()
    draft.status = draft.Status.PUBLISHED
    draft.published_at = timezone.now() + timedelta(days=3)
    save_article(draft)
    response = Client().get(preview_url(link))
    assert response.status_code == 200 and 'class="draft-banner"' in response.content.decode()


def test_no_links_leak_other_drafts(writer, draft, hidden_articles):
    """Prev/next/related: published notes only, though the drafts share the preview's tag."""
    hidden_articles[0].tags.add("扩散")
    hidden_articles[1].tags.add("扩散")
    ArticleFactory(title="公开的扩散笔记", slug="public-diffusion", tags=["扩散"])
    make_link(writer, draft)
    page = Client().get(preview_url(PreviewLink.objects.get())).content.decode()
    assert "公开的扩散笔记" in page  # the related list is there
    for hidden in hidden_articles:
        assert hidden.title not in page and hidden.get_absolute_url() not in page


def test_a_scheduled_preview_links_only_published_neighbours(writer, hidden_articles):
    """A scheduled note has a date, so neighbours: the next scheduled one is not among them."""
    chief = editor()  # a scheduled note is no longer a contributor's to share
    soon = ArticleFactory(
        author=writer, title="即将发布", published_at=timezone.now() + timedelta(hours=1)
    )
    older = ArticleFactory(title="较早的公开笔记", published_at=timezone.now() - timedelta(days=3))
    make_link(chief, soon)
    page = Client().get(preview_url(PreviewLink.objects.get())).content.decode()
    assert older.get_absolute_url() in page
    for hidden in hidden_articles:
        assert hidden.get_absolute_url() not in page


@pytest.mark.usefixtures("page_cache")
def test_a_preview_is_never_cached(writer, draft):
    make_link(writer, draft)
    link = PreviewLink.objects.get()
    url = preview_url(link)
    first = Client().get(url)
    second = Client().get(url)
    assert first.status_code == second.status_code == 200
    assert second.get("X-Page-Cache") != "hit"
    # A public page is a hit the second time (the cache is on), a preview never.
    public = ArticleFactory(title="公开笔记", slug="public-note")
    Client().get(public.get_absolute_url())
    assert Client().get(public.get_absolute_url())["X-Page-Cache"] == "hit"
    link.revoked_at = timezone.now()
    link.save()
    assert Client().get(url).status_code == 404  # nothing stored answers for it


def test_a_previewed_series_part_links_only_published_parts(writer, draft):
    from series.models import Series, SeriesPart

    series = Series.objects.create(title="扩散模型系列", slug="diffusion-series")
    public = ArticleFactory(title="系列第一篇（公开）", slug="series-one")
    other_draft = ArticleFactory(
        title="SERIES-DRAFT 未公开", slug="series-draft", draft=True, published_at=None
    )
    for position, note in enumerate([public, draft, other_draft], start=1):
        SeriesPart.objects.create(series=series, article=note, position=position)
    make_link(writer, draft)
    page = Client().get(preview_url(PreviewLink.objects.get())).content.decode()
    assert public.get_absolute_url() in page
    assert "SERIES-DRAFT" not in page and other_draft.get_absolute_url() not in page
