"""The admin in one language: our strings are English msgids, and locale/'s catalog translates
every one of them into Simplified Chinese (the default LANGUAGE_CODE); with LANGUAGE_CODE=en the
admin shows the English."""

import os
import re
import shutil
import subprocess

import polib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from ops.catalogs import IGNORED
from tests.factories import ArticleFactory
from tests.transfer_helpers import SITE_PATHS, import_notes

LOCALE = settings.BASE_DIR / "locale"
CATALOG = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Python's %-placeholders (%(name)s, %d) and str.format's ({name}, {}).
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{\w*\}")


@pytest.fixture
def english():
    """Replaces conftest's fixture of that name: these tests choose their language."""


def needs_gettext(program):
    if shutil.which(program) is None:
        if os.environ.get("CI"):
            pytest.fail(f"GNU gettext's {program} is missing: apt-get install gettext")
        pytest.skip(f"GNU gettext's {program} is not installed")


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalog = polib.pofile(str(CATALOG))
    assert catalog.metadata["Language"] == "zh_Hans" and not catalog.metadata_is_fuzzy
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalog.obsolete_entries()] == []


def test_translations_keep_every_placeholder():
    catalog = polib.pofile(str(CATALOG))
    for entry in catalog.translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for translated in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            assert sorted(PLACEHOLDER.findall(translated)) == wanted, entry.msgid


def test_the_catalog_compiles_and_is_compiled(tmp_path):
    needs_gettext("msgfmt")
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(CATALOG)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    compiled = CATALOG.with_suffix(".mo")
    assert compiled.exists(), "locale/ is not compiled: run bin/setup"
    assert compiled.stat().st_mtime >= CATALOG.stat().st_mtime, "stale .mo: run bin/setup"


def source_only(folder, names):
    """shutil.copytree's ignore: what makemessages would skip, and files it never reads."""
    skipped = set(shutil.ignore_patterns(*IGNORED, "locale", "__pycache__")(folder, names))
    return skipped | {
        name
        for name in names
        if os.path.isfile(os.path.join(folder, name))
        and not name.endswith((".py", ".html", ".txt"))
    }


def test_makemessages_finds_no_string_the_catalog_lacks(tmp_path, monkeypatch):
    """Run makemessages into a copy of the catalog: a string marked for translation and not in
    the catalog (or changed since) comes out untranslated or fuzzy."""
    needs_gettext("xgettext")
    copy = tmp_path / "project"
    shutil.copytree(settings.BASE_DIR, copy, ignore=source_only)
    catalog = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    catalog.parent.mkdir(parents=True)
    shutil.copy(CATALOG, catalog)
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    merged = polib.pofile(str(catalog))
    missing = [entry.msgid for entry in merged.untranslated_entries() + merged.fuzzy_entries()]
    assert missing == [], "run `python manage.py makemessages -l zh_Hans` and translate these"


@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_import_pages_speak_chinese(staff_client):
    url = reverse("admin:transfer_import")
    listing = staff_client.get(reverse("admin:transfer_importedsource_changelist")).text
    assert ">导入笔记</a>" in listing and "导入来源" in listing
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    page = staff_client.post(url, {"file": upload, "format": "auto", "status": "keep"}).text
    assert "请上传站点或笔记库的 .zip 文件" in page and 'value="检查（试运行）"' in page
    assert "Upload a .zip" not in page and "Check (dry run)" not in page


@override_settings(LANGUAGE_CODE="zh-hans")
def test_an_import_report_speaks_chinese_in_the_admin_and_english_on_the_console(
    staff_client, media_root
):
    export = SITE_PATHS["wxr"]
    upload = SimpleUploadedFile("blog.xml", export.read_bytes(), content_type="text/xml")
    url = reverse("admin:transfer_import")
    page = staff_client.post(url, {"file": upload, "format": "auto", "status": "keep"}).text
    assert "试运行：尚未保存任何内容" in page and "将导入：新建 " in page
    assert "#44，第 74 行：正文为空" in page and "找不到文件" in page
    ok, output = import_notes(export, dry_run=True)
    assert "Would import: " in output and "#44, line 74: empty body" in output


@pytest.fixture
def note(db):
    return ArticleFactory(title="注意力机制", slug="attention")


def admin_pages(client):
    return (
        client.get(reverse("admin:articles_article_changelist")).content.decode(),
        client.get(reverse("admin:articles_article_add")).content.decode(),
    )


@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_note_admin_speaks_chinese_by_default(staff_client, note):
    changelist, add_form = admin_pages(staff_client)
    assert "发布所选笔记" in changelist and "Publish selected notes" not in changelist
    assert "<title>增加 笔记" in add_form
    assert re.search(r'for="id_title">标题[:：]</label>', add_form)
    assert re.search(r'for="id_body">正文[:：]</label>', add_form)
    assert '<option value="draft" selected>草稿</option>' in add_form
    assert ">Title:</label>" not in add_form and ">Draft<" not in add_form


@override_settings(LANGUAGE_CODE="en")
def test_the_note_admin_speaks_english_when_language_code_says_so(staff_client, note):
    with translation.override("en"):
        changelist, add_form = admin_pages(staff_client)
    assert "Publish selected notes" in changelist and "发布所选笔记" not in changelist
    assert "<title>Add note" in add_form
    assert 'for="id_title">Title:</label>' in add_form
    assert 'for="id_body">Body:</label>' in add_form
    assert '<option value="draft" selected>Draft</option>' in add_form
