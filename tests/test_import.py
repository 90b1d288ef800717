"""import_notes: the five test sites, idempotency, per-file transactions, the report; the admin."""

import io
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from articles.models import Article
from articles.rendering import extract_math
from search.engine import search
from tests.factories import StaffFactory
from tests.transfer_helpers import SITE_PATHS, SITES, by_slug, import_notes, snapshot
from transfer import services
from transfer.formats import detect
from transfer.models import ImportedMedia, ImportedSource

# Every test writes into a MEDIA_ROOT of its own.
pytestmark = pytest.mark.usefixtures("media_root")

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def author(db):
    return StaffFactory(username="importer")


def stored_images(media_root):
    folder = media_root / "markdownx"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def source_formulas(path):
    """Every formula source in a test file's body (outside code), as the renderer sees them."""
    return [f.source for f in extract_math(path.read_text(encoding="utf-8"))[1]]


def stored_formulas(slug):
    return [f.source for f in extract_math(Article.objects.get(slug=slug).body)[1]]


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("hexo", "hexo"),
        ("hexo/source/_posts", "hexo"),
        ("hugo", "hugo"),
        ("hugo/content/posts/diffusion/index.md", "hugo"),
        ("jekyll", "jekyll"),
        ("jekyll/_posts", "jekyll"),
        ("obsidian", "obsidian"),
        ("obsidian/强化学习", "obsidian"),
        ("wxr/blog.xml", "wxr"),
        ("../rendering/tricky", "markdown"),
    ],
)
def test_auto_tells_the_formats_apart(path, expected):
    fmt, root = detect(SITES / path)
    assert fmt.name == expected
    assert root.is_dir()


# --------------------------------------------------------------------------- Hexo


def test_hexo_site(author, media_root):
    ok, output = import_notes(SITE_PATHS["hexo"], author="importer")
    assert not ok, "a broken file was skipped: the command fails"
    assert "source/_posts/broken-front-matter.md, line 4: bad YAML front matter" in output
    assert "3 created, 0 updated, 0 unchanged, 1 skipped" in output
    assert "source/_posts/kv-cache.md: images/not-there.png (file not found)" in output
    assert "强化学习 -> rl: 2 note(s)" in output

    ppo = Article.objects.get(slug="ppo-clip")
    assert ppo.title == "PPO 的截断目标：为什么 clip 有效"
    assert ppo.status == Article.Status.PUBLISHED
    assert ppo.published_at == datetime(2024, 3, 2, 21, 15, tzinfo=SHANGHAI)
    assert ppo.revised_at == datetime(2024, 4, 10, 9, 30, tzinfo=SHANGHAI)
    assert ppo.category.slug == "rl"
    assert sorted(ppo.tags.names()) == ["PPO", "策略梯度"]
    # The summary stops at <!-- more -->; the divider is in neither the body nor the page.
    assert ppo.summary.startswith("概述 PPO 用概率比 $r_t(\\theta)$ 限制每次更新的步长")
    assert "<!-- more -->" not in ppo.body and "more" not in ppo.body_html
    assert "katex" in ppo.summary_html, "formulas in the card are typeset"
    # {% asset_img %} and the root-relative image became media images; code kept its $.
    assert "{% asset_img" not in ppo.body
    assert ppo.body.count("](/media/markdownx/") == 2
    assert 'budget = "$5 and $10"' in ppo.body
    assert source_formulas(SITES / "hexo/source/_posts/ppo-clip.md") == stored_formulas("ppo-clip")
    # Hexo habits kept as written: \_ in a formula, \\ line breaks.
    assert "$\\hat{A}\\_t$" in ppo.body and "$$a \\\\ b$$" in ppo.body

    draft = Article.objects.get(slug="grpo")
    assert draft.status == Article.Status.DRAFT
    assert draft.published_at == datetime(2024, 7, 1, 8, tzinfo=SHANGHAI)
    assert len(stored_images(media_root)) == 2
    for name in stored_images(media_root):
        with Image.open(media_root / "markdownx" / name) as image:
            assert image.format == "PNG" and image.size == (24, 16)


# --------------------------------------------------------------------------- Hugo


def test_hugo_site_with_toml_json_and_page_bundles(author, media_root):
    ok, output = import_notes(SITE_PATHS["hugo"], author="importer")
    assert not ok
    assert "content/posts/bad-date.md, line 3: date: not a date: '去年夏天'" in output
    assert "3 created" in output and "images copied 3, missing 0" in output
    assert not Article.objects.filter(title="文章").exists(), "_index.md is a section page"

    diffusion = Article.objects.get(slug="diffusion-intro")
    assert diffusion.category.slug == "generative"  # "diffusion", from the built-in table
    assert diffusion.revised_at == datetime(2024, 2, 1, 8, tzinfo=SHANGHAI)
    assert diffusion.summary.startswith("简介 前向过程逐步加噪：$q(x_t \\mid x_{t-1})")
    assert "<!--more-->" not in diffusion.body
    # {{< figure >}} becomes a Markdown image with its caption as title; bundle files found.
    assert "![噪声示意](/media/markdownx/" in diffusion.body and '"逐步加噪")' in diffusion.body
    assert "{{<" not in diffusion.body
    index = SITES / "hugo/content/posts/diffusion/index.md"
    assert source_formulas(index) == stored_formulas("diffusion-intro")

    flash = Article.objects.get(slug="flash-attention")
    assert flash.status == Article.Status.DRAFT
    assert "](/media/markdownx/" in flash.body, "/images/tiling.png from static/"
    lora = Article.objects.get(slug="lora-json")
    assert lora.category.slug == "llm" and lora.summary == "用低秩矩阵 $BA$ 微调大模型。"


# --------------------------------------------------------------------------- Jekyll


def test_jekyll_posts(author):
    ok, output = import_notes(SITE_PATHS["jekyll"], author="importer")
    assert not ok
    assert "_posts/2024-02-02-gbk.md, line 4: not UTF-8 text" in output
    assert "_posts/notes-without-date.md, line 1: a post's name must start with its date" in output
    lora = Article.objects.get(slug="lora-rank")
    assert lora.published_at == datetime(2024, 3, 1, tzinfo=SHANGHAI)  # from the file name
    assert lora.revised_at == datetime(2024, 3, 5, 12, tzinfo=SHANGHAI)
    assert sorted(lora.tags.names()) == ["LoRA", "微调"]  # Jekyll splits at spaces
    assert "{{ site.baseurl }}" not in lora.body and "](/media/markdownx/" in lora.body
    post = SITES / "jekyll/_posts/2024-03-01-lora-rank.md"
    assert source_formulas(post) == stored_formulas("lora-rank")
    assert Article.objects.get(slug="moe").status == Article.Status.DRAFT


# --------------------------------------------------------------------------- Obsidian


def test_obsidian_vault_embeds_and_wikilinks(author, media_root):
    ok, output = import_notes(SITE_PATHS["obsidian"], author="importer")
    assert not ok
    assert "空白.md, line 4: empty body" in output
    assert "强化学习/策略梯度.md: [[不存在的笔记]]" in output

    pg = Article.objects.get(slug="策略梯度")
    ppo = Article.objects.get(title="PPO 笔记")
    assert f"[PPO 笔记]({ppo.get_absolute_url()})" in pg.body
    assert "还有 一篇没写的。" in pg.body, "a link to a missing note keeps its text"
    assert "[[不是链接]]" in pg.body, "code is left alone"
    assert f"[上一篇]({pg.get_absolute_url()})" in ppo.body
    assert "![[" not in pg.body + ppo.body and len(stored_images(media_root)) == 2
    assert source_formulas(SITES / "obsidian/强化学习/策略梯度.md") == stored_formulas("策略梯度")
    assert Article.objects.get(title="想法").status == Article.Status.DRAFT
    assert ppo.revised_at == datetime(2024, 2, 20, 10, tzinfo=SHANGHAI)


# --------------------------------------------------------------------------- WordPress


def test_wordpress_export(author, media_root):
    ok, output = import_notes(SITE_PATHS["wxr"], author="importer")
    assert not ok
    assert "blog.xml#44, line 74: empty body" in output
    assert not Article.objects.filter(title="关于").exists(), "pages are not notes"

    note = Article.objects.get(slug="注意力")  # post_name is URL-encoded in WXR
    assert note.published_at == datetime(2023, 5, 6, 12, 30, tzinfo=ZoneInfo("UTC"))
    assert note.revised_at == datetime(2023, 6, 1, tzinfo=ZoneInfo("UTC"))
    assert note.category.slug == "llm" and sorted(note.tags.names()) == ["Transformer", "注意力"]
    assert [f.source for f in extract_math(note.body)[1]] == [
        "$\\mathrm{softmax}\\left(\\frac{QK^T}{\\sqrt{d_k}}\\right)V$",  # [latex] shortcode
        "\\( d_k \\)",
        "$a_1 < b_1$",  # the HTML entity decoded, nothing else touched
        "$$\\mathrm{MultiHead}(Q,K,V) = \\mathrm{Concat}(\\mathrm{head}_1, \\dots, "
        "\\mathrm{head}_h) W^O$$",
        "\\[ \\mathrm{head}_i = \\mathrm{Attention}(Q W_i^Q, K W_i^K, V W_i^V) \\]",
        "\\begin{aligned}\nQ &= X W^Q \\\\\nK &= X W^K\n\\end{aligned}",
    ]
    assert '```python\nprice = "$5 and $10"' in note.body
    assert "## 概述" in note.body and "**缩放**" in note.body
    assert "[原论文](https://arxiv.org/abs/1706.03762)" in note.body
    # The resized copy's URL found the original in wp-content/uploads.
    assert "![注意力权重](/media/markdownx/" in note.body and len(stored_images(media_root)) == 1
    assert note.summary.startswith("概述 缩放点积注意力 $\\mathrm{softmax}")

    draft = Article.objects.get(title="VQ-VAE 草稿")
    assert draft.status == Article.Status.DRAFT and draft.summary == "离散隐变量的 VAE。"
    assert '```python\ncost = "$2"\n```' in draft.body


# --------------------------------------------------------------------------- idempotency


def test_importing_twice_gives_the_same_database(author, media_root):
    for path in SITE_PATHS.values():
        import_notes(path, author="importer", default_category="llm")
    before, files = snapshot(), stored_images(media_root)
    assert len(before[0]) == 13
    for path in SITE_PATHS.values():
        ok, output = import_notes(path, author="importer", default_category="llm")
        assert " 0 created, 0 updated," in output and "images copied 0" in output
    assert snapshot() == before
    assert stored_images(media_root) == files


def test_a_changed_file_updates_its_note_in_place(author, tmp_path):
    site = tmp_path / "hexo"
    shutil.copytree(SITE_PATHS["hexo"], site)
    (site / "source/_posts/broken-front-matter.md").unlink()
    assert import_notes(site, author="importer")[0]
    note = Article.objects.get(slug="kv-cache")
    post = site / "source/_posts/kv-cache.md"
    post.write_text(
        post.read_text().replace("date: 2024-05-20 10:00:00", "date: 2024-05-20 10:00:00\n"
        "updated: 2024-06-01 10:00:00") + "\n补充：$O(n)$ 的显存。\n",
        encoding="utf-8",
    )  # fmt: skip
    ok, output = import_notes(site, author="importer")
    assert ok and "0 created, 1 updated, 2 unchanged" in output
    updated = Article.objects.get(pk=note.pk)
    assert updated.slug == note.slug and updated.body.endswith("补充：$O(n)$ 的显存。\n")
    assert updated.revised_at == datetime(2024, 6, 1, 10, tzinfo=SHANGHAI)
    assert Version.objects.get_for_object(updated).count() == 2, "a revision per import"
    assert Article.objects.count() == 3


def test_a_file_that_fails_leaves_nothing_behind(author, media_root, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "save_note", fail)
    ok, output = import_notes(SITES / "hexo/source/_posts/ppo-clip.md", format="hexo")
    assert not ok and "ppo-clip.md: not stored: disk full" in output
    assert "0 created, 0 updated, 0 unchanged, 1 skipped" in output
    assert not Article.objects.exists() and not ImportedSource.objects.exists()
    assert not ImportedMedia.objects.exists() and stored_images(media_root) == []


def test_a_failed_file_leaves_no_resized_copies(author, tmp_path, media_root, monkeypatch):
    site = tmp_path / "notes"
    site.mkdir()
    Image.new("RGB", (1200, 800), "teal").save(site / "wide.png")
    (site / "a.md").write_text("---\ncategories: [LLM]\n---\n![wide](wide.png)\n", "utf-8")

    def fail(*args, **kwargs):
        # The image (and its 480 and 960 px copies) are stored by now: they must go.
        assert len(stored_images(media_root)) == 3
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "save_note", fail)
    ok, output = import_notes(site)
    assert not ok and "not stored: disk full" in output
    assert stored_images(media_root) == []


def test_dry_run_stores_nothing(author, media_root):
    ok, output = import_notes(SITE_PATHS["hugo"], author="importer", dry_run=True)
    assert "Would import: 3 created" in output and "images to copy 3" in output
    assert not Article.objects.exists() and stored_images(media_root) == []


# --------------------------------------------------------------------------- options


def test_category_map_file_and_default_category(author, tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[categories]\n"KV cache" = "llm"\n"系统" = "rl"\n', encoding="utf-8")
    path = SITES / "hexo/source/_posts/kv-cache.md"
    import_notes(path, format="hexo", category_map=str(mapping))
    assert Article.objects.get(slug="kv-cache").category.slug == "rl"  # categories before tags

    unmapped = tmp_path / "note.md"
    unmapped.write_text("---\ntitle: 杂谈\ncategories: [随笔]\n---\n正文 $x$。\n", encoding="utf-8")
    ok, output = import_notes(unmapped)
    assert not ok and "no category maps (随笔); name one with --default-category" in output
    ok, output = import_notes(unmapped, default_category="systems")
    assert ok and "note.md -> systems" in output
    note = Article.objects.get(slug="note")
    assert note.category.slug == "systems" and list(note.tags.names()) == ["随笔"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"category_map": "/nowhere.toml"}, "cannot read /nowhere.toml"),
        ({"default_category": "cooking"}, "no category with the slug 'cooking'"),
        ({"author": "nobody"}, "No user named 'nobody'"),
    ],
)
def test_bad_options_are_command_errors(author, options, message):
    ok, output = import_notes(SITE_PATHS["hugo"], **options)
    assert not ok and message in output and not Article.objects.exists()


def test_mapping_to_an_unknown_category_is_refused(author, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("强化学习: cooking\n", encoding="utf-8")
    ok, output = import_notes(SITE_PATHS["hexo"], category_map=str(mapping))
    assert not ok and "unknown categories: cooking" in output


@pytest.mark.parametrize("status", ["draft", "published"])
def test_status_option_overrides_the_source(author, status):
    import_notes(SITE_PATHS["hexo"], status=status)
    assert set(Article.objects.values_list("status", flat=True)) == {status}


def test_images_outside_the_site_are_never_read(author, tmp_path, media_root):
    secret = tmp_path / "secret.png"
    Image.new("RGB", (4, 4)).save(secret)
    site = tmp_path / "notes"
    site.mkdir()
    (site / "a.md").write_text("---\ncategories: [LLM]\n---\n![x](../secret.png)\n", "utf-8")
    ok, output = import_notes(site)
    assert ok and "a.md: ../secret.png (file not found)" in output
    assert stored_images(media_root) == []


def test_a_file_that_is_not_an_image_is_reported(author, tmp_path, media_root):
    site = tmp_path / "notes"
    site.mkdir()
    (site / "fake.png").write_text("<svg onload=alert(1)>", "utf-8")
    (site / "a.md").write_text("---\ncategories: [LLM]\n---\n![x](fake.png)\n", "utf-8")
    ok, output = import_notes(site)
    assert ok and "a.md: fake.png (不是 PNG、JPEG、GIF 或 WebP 图片" in output
    assert stored_images(media_root) == []


def test_search_index_is_up_to_date_after_import(author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_notes(SITE_PATHS["hexo"])
    found = search(Article.objects.published(), "截断")
    assert [a.slug for a in found] == ["ppo-clip"]


def test_imported_note_page_renders(author, client):
    import_notes(SITE_PATHS["hugo"])
    note = Article.objects.get(slug="diffusion-intro")
    response = client.get(note.get_absolute_url())
    assert response.status_code == 200
    assert "扩散模型入门" in response.text and 'class="katex"' in response.text
    assert client.get(reverse("feeds:rss")).status_code == 200


def test_every_note_gets_a_source_record(author):
    import_notes(SITE_PATHS["jekyll"])
    keys = set(ImportedSource.objects.values_list("format", "source_key"))
    assert keys == {("jekyll", "_posts/2024-03-01-lora-rank.md"), ("jekyll", "_drafts/moe.md")}
    assert by_slug().keys() == {"lora-rank", "moe"}


# --------------------------------------------------------------------------- admin


def zip_upload(folder, prefix="", name="site.zip", extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
        for member, data in extra:
            archive.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def test_admin_import_dry_run_then_confirm(staff_client, media_root):
    url = reverse("admin:transfer_import")
    sources = staff_client.get(reverse("admin:transfer_importedsource_changelist"))
    assert "Import notes" in sources.text
    upload = zip_upload(SITE_PATHS["hugo"], prefix="my-site/")
    page = staff_client.post(url, {"file": upload, "format": "auto", "status": "keep"})
    assert page.status_code == 200 and "Dry run" in page.text
    assert "Would import: 3 created, 0 updated, 0 unchanged, 1 skipped" in page.text
    assert "content/posts/bad-date.md, line 3" in page.text
    assert not Article.objects.exists() and stored_images(media_root) == []

    confirm = page.context["confirm"]
    done = staff_client.post(url, {"confirm": confirm})
    assert "Imported: 3 created" in done.text and Article.objects.count() == 3
    assert len(stored_images(media_root)) == 3
    # The same keys as the command's: importing the folder later updates, never duplicates.
    assert ImportedSource.objects.filter(source_key="content/posts/diffusion/index.md").exists()
    again = staff_client.post(url, {"confirm": confirm})
    assert "expired" in again.text and Article.objects.count() == 3


def test_admin_import_of_a_wordpress_zip_with_its_uploads(staff_client, media_root):
    upload = zip_upload(SITES / "wxr", name="wordpress.zip")
    page = staff_client.post(reverse("admin:transfer_import"), {"file": upload, "format": "auto",
                                                                "status": "keep"})  # fmt: skip
    assert "Would import: 2 created" in page.text and "images to copy 1, missing 0" in page.text
    staff_client.post(reverse("admin:transfer_import"), {"confirm": page.context["confirm"]})
    assert "](/media/markdownx/" in Article.objects.get(slug="注意力").body


def test_admin_import_refuses_bad_uploads(staff_client):
    url = reverse("admin:transfer_import")
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    page = staff_client.post(url, {"file": text, "format": "auto", "status": "keep"})
    assert page.status_code == 200 and "Upload a .zip" in page.text
    broken = SimpleUploadedFile("site.zip", b"PK\x03\x04 not a zip", "application/zip")
    page = staff_client.post(url, {"file": broken, "format": "auto", "status": "keep"})
    assert "cannot be read" in page.text
    assert staff_client.post(url, {"confirm": "forged"}).status_code == 400
    assert not Article.objects.exists()


def test_admin_import_never_unpacks_outside_its_folder(staff_client, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("---\ncategories: [LLM]\n---\n正文 $x$。\n", "utf-8")
    escape = ("../../escaped.md", "---\ncategories: [LLM]\n---\n逃逸\n")
    upload = zip_upload(folder, extra=[escape, ("/abs.md", "绝对路径\n")])
    page = staff_client.post(reverse("admin:transfer_import"), {"file": upload, "format": "auto",
                                                                "status": "keep"})  # fmt: skip
    assert "Would import: 1 created" in page.text
    assert not (Path(tempfile.gettempdir()) / "escaped.md").exists()


def test_admin_import_needs_permission(client, db):
    url = reverse("admin:transfer_import")
    assert client.get(url).status_code == 302  # to the login page
    viewer = StaffFactory(username="viewer", is_superuser=False)
    client.force_login(viewer)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        ("<?xml version='1.0'?>\n<rss xmlns:wp='http://wordpress.org/export/1.2/'>\n<channel>",
         "not well-formed XML"),
        ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
         '\n<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>&b;</channel></rss>',
         "refused XML"),
    ],
)  # fmt: skip
def test_a_broken_or_hostile_wordpress_export_is_skipped(author, tmp_path, xml, reason):
    export = tmp_path / "export.xml"
    export.write_text(xml, encoding="utf-8")
    ok, output = import_notes(export)
    assert not ok and "export.xml" in output and reason in output
    assert not Article.objects.exists()


def test_admin_import_sends_large_sites_to_the_command(staff_client, settings):
    settings.IMPORT_ADMIN_MAX_NOTES = 2
    upload = zip_upload(SITE_PATHS["hugo"])
    page = staff_client.post(reverse("admin:transfer_import"), {"file": upload, "format": "auto",
                                                                "status": "keep"})  # fmt: skip
    assert "More than 2 notes" in page.text and "confirm" not in page.context
    assert not Article.objects.exists()


def test_other_files_are_not_notes(author, staff_client, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text("<?xml version='1.0'?><rss><channel><title>x</title></channel></rss>", "utf-8")
    ok, output = import_notes(feed, author="importer")
    assert not ok and "feed.xml: not a Markdown file" in output
    upload = SimpleUploadedFile("feed.xml", feed.read_bytes(), "text/xml")
    page = staff_client.post(reverse("admin:transfer_import"), {"file": upload, "format": "auto",
                                                                "status": "keep"})  # fmt: skip
    assert "not a WordPress export" in page.text and not Article.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: 月份不存在\ndate: 2024-13-45\n---\n正文\n", "line 1: bad front matter value"),
        ("+++\ntitle = '坏'\ndate = 2024-13-45\n+++\n正文\n", "line 3: bad TOML front matter"),
        ('{\n"title": "坏的 JSON",\n}\n正文\n', "line 3: bad JSON front matter"),
        ("---\ntitle: 没有结束\n正文\n", "line 1: front matter is not closed"),
        ("---\n- 一个\n- 列表\n---\n正文\n", "line 2: front matter is not a table"),
        ("---\ntitle: [1, 2]\n---\n正文\n", "line 2: the title is not text"),
    ],
)
def test_broken_front_matter_is_skipped_with_its_line(author, tmp_path, text, message):
    note = tmp_path / "note.md"
    note.write_text(text, encoding="utf-8")
    ok, output = import_notes(note, default_category="llm")
    assert not ok and f"note.md, {message}" in output
    assert not Article.objects.exists()


def test_windows_line_endings_and_names_with_spaces(author, tmp_path, media_root):
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "图 片").mkdir()
    Image.new("RGB", (6, 6), (1, 2, 3)).save(vault / "图 片" / "a b.png")
    body = "## 概述\r\n\r\n行内 $x$，见图：\r\n\r\n![[a b.png|示意图]]\r\n"
    (vault / "笔记.md").write_bytes(f"---\r\ntags: [LLM]\r\n---\r\n{body}".encode())
    ok, output = import_notes(vault)
    assert ok, output
    note = Article.objects.get(slug="笔记")
    assert note.body.startswith("## 概述\r\n\r\n行内 $x$，见图：\r\n\r\n![示意图](/media/")
    assert note.body.endswith(".png)\r\n") and len(stored_images(media_root)) == 1


def test_a_changed_note_without_an_updated_date_is_revised_now(author, tmp_path):
    note = tmp_path / "note.md"
    note.write_text("---\ndate: 2024-01-01\ncategories: [LLM]\n---\n第一版 $x$。\n", "utf-8")
    import_notes(note)
    first = Article.objects.get()
    assert first.revised_at == first.published_at == datetime(2024, 1, 1, tzinfo=SHANGHAI)
    note.write_text("---\ndate: 2024-01-01\ncategories: [LLM]\n---\n第二版 $y$。\n", "utf-8")
    before = timezone.now()
    import_notes(note)
    second = Article.objects.get()
    assert second.pk == first.pk and second.published_at == first.published_at
    assert second.revised_at >= before
