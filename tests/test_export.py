"""export_notes and the admin's export action: export, then import into an empty site, gives the
same notes (bodies byte-identical; titles, slugs, dates, categories, tags, statuses)."""

import io
import shutil
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image
from taggit.models import Tag

from articles.models import Article, Category
from articles.services import save_article
from articles.uploads import save_image
from tests.factories import StaffFactory
from tests.transfer_helpers import SITE_PATHS, by_slug, import_notes
from transfer.models import ImportedMedia

# Every test writes into a MEDIA_ROOT of its own.
pytestmark = pytest.mark.usefixtures("media_root")

UTC = ZoneInfo("UTC")


@pytest.fixture
def author(db):
    return StaffFactory(username="exporter")


def png_url():
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(image, "PNG")
    return save_image("PNG", image.getvalue())


def write_note(author, **fields):
    """A note saved the way the admin saves one (save_article: revision, revised_at)."""
    tags = fields.pop("tags", [])
    article = Article(author=author, category=Category.objects.get(slug="rl"), **fields)
    return save_article(article, user=author, tags=tags)


@pytest.fixture
def site(author):
    """The five test sites imported, plus notes written in the admin with awkward bodies."""
    for path in SITE_PATHS.values():
        import_notes(path, author="exporter", default_category="llm")
    url = png_url()
    write_note(
        author,
        title='"引号" 与冒号: 测试 #1',
        slug="LoRA-Notes",  # a hand-typed slug keeps its capitals
        body=f"\r\n## 概述\r\n\r\n行内 $x_1$ 与 \\(y\\)。  \r\n\r\n![图]({url})\r\n"
        f'<img src="{url}" alt="HTML">\r\n\r\n```sh\r\necho "$HOME"\r\n```\r\n\r\n',
        summary="手写摘要，含 $\\alpha$。",
        status=Article.Status.PUBLISHED,
        published_at=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        tags=["带 空格", "Chinese 中文", "GRPO"],
    )
    write_note(
        author,
        title="没有日期的草稿",
        slug="草稿-无日期",
        body="   缩进开头，结尾没有换行 $$a$$",
        status=Article.Status.DRAFT,
    )
    return by_slug()


def empty_the_site(media_root):
    Article.objects.all().delete()
    Tag.objects.all().delete()
    ImportedMedia.objects.all().delete()
    shutil.rmtree(media_root)


@pytest.mark.parametrize("style", ["hugo", "hexo", "jekyll"])
def test_export_then_import_into_an_empty_site_gives_the_same_notes(
    site, style, tmp_path, media_root
):
    export = tmp_path / "export"
    call_command("export_notes", str(export), format=style, stdout=io.StringIO())
    images = sorted(p.name for p in (media_root / "markdownx").iterdir())
    empty_the_site(media_root)

    ok, output = import_notes(export)
    assert f"{len(site)} created, 0 updated, 0 unchanged, 0 skipped" in output
    assert by_slug() == site
    assert sorted(p.name for p in (media_root / "markdownx").iterdir()) == images
    # The one image the original notes were missing is still reported, and only that.
    assert output.count("(file not found)") == 1 and "images/not-there.png" in output


def test_exported_layouts(site, tmp_path):
    for style in ("hugo", "hexo", "jekyll"):
        call_command("export_notes", str(tmp_path / style), format=style, stdout=io.StringIO())
    hugo = (tmp_path / "hugo/content/posts/diffusion-intro/index.md").read_text()
    assert hugo.startswith('+++\ntitle = "扩散模型入门：从加噪到去噪"\nslug = "diffusion-intro"\n')
    assert "lastmod = 2024-02-01 08:00:00+08:00" in hugo and "draft = false" in hugo
    folder = tmp_path / "hugo/content/posts/diffusion-intro"
    images = [p.name for p in folder.iterdir() if p.suffix == ".png"]
    assert len(images) == 2 and all(f"]({name}" in hugo for name in images)
    assert (tmp_path / "hexo/source/_drafts/grpo.md").is_file()
    hexo = (tmp_path / "hexo/source/_posts/ppo-clip.md").read_text()
    assert "](ppo-clip/" in hexo and "updated: 2024-04-10 09:30:00+08:00" in hexo
    jekyll = tmp_path / "jekyll/_posts/2024-03-02-ppo-clip.md"
    assert "](/assets/images/ppo-clip/" in jekyll.read_text()
    assert (tmp_path / "jekyll/_drafts/草稿-无日期.md").is_file()


def test_export_refuses_a_folder_that_is_not_empty(site, tmp_path):
    (tmp_path / "old.md").write_text("x")
    with pytest.raises(CommandError, match="is not an empty folder"):
        call_command("export_notes", str(tmp_path), stdout=io.StringIO())


def test_export_only_published_notes(site, tmp_path):
    call_command("export_notes", str(tmp_path / "out"), status="published", stdout=io.StringIO())
    exported = list((tmp_path / "out/content/posts").glob("*/index.md"))
    assert len(exported) == Article.objects.filter(status="published").count() == 9


def test_admin_export_action_downloads_a_zip(site, client, author):
    client.force_login(author)
    changelist = reverse("admin:articles_article_changelist")
    chosen = list(Article.objects.filter(slug__in=["ppo-clip", "LoRA-Notes"]).values_list("pk"))
    selected = [str(pk) for (pk,) in chosen]
    data = {"action": "export_notes_zip", "_selected_action": selected}
    page = client.post(changelist, data)
    assert page.status_code == 200 and "Download .zip" in page.text
    response = client.post(changelist, {**data, "export_format": "hexo"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="notes-hexo-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"_config.yml", "source/_posts/ppo-clip.md", "source/_posts/LoRA-Notes.md"} <= names
    assert sum(name.endswith(".png") for name in names) == 3
