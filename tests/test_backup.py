"""backup / restore (ops): a snapshot restores every row and file, and bad input is refused.

Runs on the test database's engine (SQLite by default, PostgreSQL with DATABASE_URL): the restore
goes into a fresh database (a scratch PostgreSQL database, dropped afterwards, or a new SQLite
file) and a fresh media folder, and every table and file is compared with the source.
"""

import hashlib
import io
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import reversion
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from articles.models import Article
from ops.databases import PostgresDatabase, database_for
from ops.errors import BackupError
from ops.snapshot import MANIFEST, restore_backup, snapshots
from tests.factories import ArticleFactory, StaffFactory

# pg_dump and the SQLite backup API read committed data only: no per-test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def png_bytes(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def database(settings_dict=None):
    return database_for(settings_dict or connection.settings_dict, vendor=connection.vendor)


def table_digests(db):
    """sha256 of each table's rows (sorted), read through the driver."""
    conn = db.connect()
    try:
        digests = {}
        for table in db.table_names():
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            digests[table] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        return digests
    finally:
        conn.close()


def media_digests(root):
    root = Path(root)
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def notes(media_root):
    """Notes with tags, images (one with a Chinese name, one nested) and revisions."""
    assert reversion.is_registered(Article)
    storage = storages["default"]
    images = [
        storage.save("markdownx/策略梯度.png", ContentFile(png_bytes("red"))),
        storage.save("markdownx/2026/11/kv-cache.png", ContentFile(png_bytes("blue"))),
    ]
    author = StaffFactory(username="backup-author")
    created = []
    for i, image in enumerate(images):
        with reversion.create_revision():
            reversion.set_user(author)
            reversion.set_comment("first draft")
            article = ArticleFactory(
                author=author,
                body=f"## 概述\n\n第 {i} 篇：\\(\\nabla_\\theta J\\)\n\n![图](/media/{image})",
                tags=["强化学习", f"tag-{i}"],
            )
        with reversion.create_revision():
            reversion.set_user(author)
            article.title += "（修订）"
            article.save()
        created.append(article)
    created.append(ArticleFactory(draft=True, tags=["草稿"]))
    return created


@pytest.fixture
def scratch_database(tmp_path):
    """Connection settings of a fresh, empty database on the test database's server."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    from psycopg import sql

    name = f"notes_site_restore_{uuid.uuid4().hex[:10]}"
    admin = PostgresDatabase({**source, "NAME": "postgres"}).connect(autocommit=True)
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {**source, "NAME": name}
    finally:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.close()


@pytest.fixture
def snapshot(notes, tmp_path):
    call_command("backup", str(tmp_path / "backups"), stdout=io.StringIO())
    (path,) = snapshots(tmp_path / "backups")
    return path


def test_round_trip_restores_every_row_and_file(snapshot, scratch_database, media_root, settings):
    source_tables, source_files = table_digests(database()), media_digests(media_root)
    manifest = json.loads((snapshot / MANIFEST).read_text())
    for table in ("articles_article", "taggit_taggeditem", "reversion_version"):
        assert manifest["tables"][table] > 0
    assert manifest["tables"] == database().count_rows()
    assert {f["name"] for f in manifest["media"]["files"]} == set(source_files)

    settings.MEDIA_ROOT = snapshot.parent / "restored-media"
    target = database(scratch_database)
    result = restore_backup(snapshot, database=target, storage=storages["default"])

    assert result["tables"] == manifest["tables"]
    assert table_digests(target) == source_tables
    assert media_digests(settings.MEDIA_ROOT) == source_files
    conn = target.connect()
    try:
        titles = {row[0] for row in conn.execute("SELECT title FROM articles_article")}
    finally:
        conn.close()
    assert titles == set(Article.objects.values_list("title", flat=True))


def test_force_replaces_a_non_empty_target(snapshot, scratch_database, media_root, settings):
    source_tables, source_files = table_digests(database()), media_digests(media_root)
    settings.MEDIA_ROOT = snapshot.parent / "restored-media"
    target = database(scratch_database)
    restore_backup(snapshot, database=target, storage=storages["default"])
    storages["default"].save("stray.png", ContentFile(png_bytes("green")))
    conn = target.connect()
    try:
        conn.execute("DELETE FROM taggit_taggeditem")
        conn.commit()
    finally:
        conn.close()
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(snapshot, database=target, storage=storages["default"])
    restore_backup(snapshot, database=target, storage=storages["default"], force=True)
    assert table_digests(target) == source_tables
    assert media_digests(settings.MEDIA_ROOT) == source_files


def test_damaged_snapshot_is_refused_before_anything_is_written(
    snapshot, scratch_database, settings
):
    image = next((snapshot / "media" / "markdownx").glob("*.png"))
    image.write_bytes(image.read_bytes() + b"\0")
    settings.MEDIA_ROOT = snapshot.parent / "restored-media"
    target = database(scratch_database)
    with pytest.raises(BackupError, match="checksum differs: markdownx/"):
        restore_backup(snapshot, database=target, storage=storages["default"])
    assert target.table_names() == []
    assert not Path(settings.MEDIA_ROOT).exists()


def test_missing_and_extra_files_are_refused(snapshot, scratch_database):
    (snapshot / "media" / "stray.txt").write_text("not backed up")
    (snapshot / database().dump_name).unlink()
    with pytest.raises(BackupError) as failure:
        restore_backup(snapshot, database=database(scratch_database), storage=storages["default"])
    assert "missing: database." in str(failure.value)
    assert "not in the manifest: stray.txt" in str(failure.value)


def test_restore_command_refuses_a_non_empty_database(snapshot):
    count = Article.objects.count()
    with pytest.raises(CommandError, match="target is not empty"):
        call_command("restore", str(snapshot), stdout=io.StringIO())
    assert Article.objects.count() == count


def test_snapshot_from_a_newer_version_is_refused(snapshot, scratch_database):
    manifest = json.loads((snapshot / MANIFEST).read_text())
    manifest["migrations"].append(["articles", "9999_from_the_future"])
    (snapshot / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="newer version.*articles.9999_from_the_future"):
        restore_backup(snapshot, database=database(scratch_database), storage=storages["default"])


def test_keep_deletes_the_oldest_snapshots(notes, tmp_path):
    root = tmp_path / "backups"
    for _ in range(3):
        call_command("backup", str(root), "--keep", "2", stdout=io.StringIO())
    kept = snapshots(root)
    assert len(kept) == 2
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == [
        p.name for p in kept
    ]


def test_failed_backup_leaves_no_snapshot(notes, tmp_path, monkeypatch):
    def disk_full(storage, folder):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ops.snapshot.back_up_media", disk_full)
    root = tmp_path / "backups"
    with pytest.raises(CommandError, match="No space left on device"):
        call_command("backup", str(root), stdout=io.StringIO())
    assert [p.name for p in root.iterdir()] == [".lock"]


def test_bad_arguments_are_command_errors(tmp_path, db):
    with pytest.raises(CommandError, match="neither a snapshot"):
        call_command("restore", str(tmp_path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="--keep"):
        call_command("backup", str(tmp_path), "--keep", "0")
    with pytest.raises(CommandError, match="unknown database alias"):
        call_command("backup", str(tmp_path), "--database", "nope")


def test_an_old_pg_dump_is_refused_with_the_client_to_install(tmp_path):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n")
    fake.chmod(0o755)
    postgres = PostgresDatabase({"NAME": "x"}, pg_bin_dir=str(tmp_path))
    with pytest.raises(BackupError, match="postgresql-client-16"):
        postgres.find_tool("pg_dump", 16)
    assert postgres.find_tool("pg_dump", 13) == (str(fake), "13.4")


@pytest.mark.parametrize(
    ("command", "database_url", "message"),
    [
        ("restore", "sqlite:///{tmp}/db.sqlite3", "is neither a snapshot"),
        ("backup", "sqlite:////nonexistent/folder/db.sqlite3", "unable to open database file"),
    ],
)
def test_commands_exit_non_zero_with_a_message(tmp_path, command, database_url, message):
    result = subprocess.run(
        [sys.executable, "manage.py", command, str(tmp_path / "missing")],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "SEARCH_WARM_UP": "false",
            "ENV_FILE": "",
            "DATABASE_URL": database_url.format(tmp=tmp_path),
        },
    )
    assert result.returncode == 1
    assert f"{command} failed" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
