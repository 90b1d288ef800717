"""Backup snapshots: create, verify, restore, prune. docs/backups.md describes the layout.

A snapshot is one folder ``DIR/<UTC time>`` holding the database dump, ``media/`` and
``manifest.json`` (app version, migrations, row counts, sizes and sha256 of every file). It is
written under ``DIR/.partial-<name>`` and renamed when complete, so a folder with a plain
timestamp name is always a whole snapshot.
"""

import fcntl
import json
import os
import re
import shutil
import subprocess
import tomllib
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import django
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from ops.errors import BackupError
from ops.media import (
    back_up_media,
    check_media,
    empty_storage,
    file_digest,
    restore_media,
    storage_files,
)

MANIFEST = "manifest.json"
FORMAT = 1
_SNAPSHOT_NAME = re.compile(r"^(\d{8}T\d{6}Z)(?:-(\d+))?$")


def app_version():
    """The package version and, in a git checkout, ``git describe``."""
    try:
        version = metadata.version("notes-site")
    except metadata.PackageNotFoundError:
        # The image runs the code from /app without installing it: read pyproject.toml.
        pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
        version = tomllib.loads(pyproject.read_text())["project"]["version"]
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        )
        git = result.stdout.strip() if result.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        git = None
    return {"version": version, "git": git, "django": django.get_version()}


def snapshots(root):
    """Complete snapshots in ``root``, oldest first."""
    found = []
    for path in Path(root).iterdir() if Path(root).is_dir() else []:
        match = _SNAPSHOT_NAME.match(path.name)
        if match and (path / MANIFEST).is_file():
            found.append(((match.group(1), int(match.group(2) or 1)), path))
    return [path for _, path in sorted(found)]


@contextmanager
def _lock(root):
    with open(root / ".lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"another backup is running in {root}") from None
        yield


def _fsync_tree(folder):
    for path in [*sorted(folder.rglob("*")), folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def create_backup(root, *, database, storage, keep=None):
    """Write one snapshot into ``root`` and return its path; then keep the newest ``keep``."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with _lock(root):
        # Left by a backup that was killed: under the lock no other backup is writing them.
        for stale in root.glob(".partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        name, n = stamp, 2
        while (root / name).exists():
            name, n = f"{stamp}-{n}", n + 1
        partial = root / f".partial-{name}"
        partial.mkdir()
        try:
            # The database first: every file a note refers to at dump time is then copied too.
            dump = database.dump(partial / database.dump_name)
            size, sha256 = file_digest(partial / database.dump_name)
            media = back_up_media(storage, partial / "media")
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "app": app_version(),
                "database": {
                    "engine": database.engine,
                    "file": database.dump_name,
                    "size": size,
                    "sha256": sha256,
                    "server_version": dump["server_version"],
                    "tool_version": dump["tool_version"],
                },
                "migrations": dump["migrations"],
                "tables": dump["tables"],
                "media": {
                    "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
                    "files": media,
                },
            }
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
            _fsync_tree(partial)
            final = root / name
            partial.rename(final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        if keep:
            prune(root, keep)
    return final


def prune(root, keep):
    """Delete all but the newest ``keep`` snapshots; return the deleted paths."""
    old = snapshots(root)[:-keep] if keep > 0 else []
    for path in old:
        shutil.rmtree(path)
    return old


def resolve(path):
    """A snapshot folder, or the newest snapshot in a backup folder."""
    path = Path(path)
    if (path / MANIFEST).is_file():
        return path
    found = snapshots(path)
    if not found:
        raise BackupError(f"{path} is neither a snapshot (no {MANIFEST}) nor a folder of them")
    return found[-1]


def load_manifest(snapshot):
    try:
        manifest = json.loads((snapshot / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"cannot read {snapshot / MANIFEST}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{snapshot / MANIFEST} is not a format-{FORMAT} backup manifest")
    for key in ("database", "migrations", "tables", "media"):
        if key not in manifest:
            raise BackupError(f"{snapshot / MANIFEST} lacks {key!r}")
    return manifest


def verify(snapshot, manifest):
    """Sizes and sha256 of the dump and of every media file; return the problems found."""
    db = manifest["database"]
    dump = snapshot / Path(db["file"]).name
    problems = []
    if not dump.is_file():
        problems.append(f"missing: {dump.name}")
    elif file_digest(dump) != (db["size"], db["sha256"]):
        problems.append(f"checksum differs: {dump.name}")
    return problems + check_media(snapshot / "media", manifest["media"]["files"])


def _migration_state(manifest):
    """(migrations the code lacks, migrations the snapshot has not applied)."""
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {tuple(m) for m in manifest["migrations"]}
    return sorted(applied - on_disk), sorted(on_disk - applied)


def restore_backup(path, *, database, storage, force=False, log=lambda message: None):
    """Restore a snapshot into an empty database and media storage, verifying the manifest.

    Nothing is written before the checksums, the engine, the migrations and the emptiness of
    the targets are checked. ``force`` empties the database and the storage first.
    """
    snapshot = resolve(path)
    log(f"Snapshot {snapshot}")
    manifest = load_manifest(snapshot)
    problems = verify(snapshot, manifest)
    if problems:
        raise BackupError("the snapshot is damaged: " + "; ".join(problems))
    engine = manifest["database"]["engine"]
    if engine != database.engine:
        raise BackupError(
            f"the snapshot holds a {engine} database; this site uses {database.engine}"
        )
    unknown, pending = _migration_state(manifest)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"the snapshot comes from a newer version of the site (migrations {names})"
        )

    tables, files = database.table_names(), storage_files(storage)
    if (tables or files) and not force:
        raise BackupError(
            f"the target is not empty ({len(tables)} tables, {len(files)} media files): restore "
            "into an empty database and media folder, or pass --force to replace them"
        )
    if tables:
        log(f"Emptying the database ({len(tables)} tables)")
        database.empty()
    if files:
        log(f"Deleting {len(files)} media files")
        empty_storage(storage)

    database.restore(snapshot / manifest["database"]["file"], manifest["database"])
    counts = database.count_rows()
    expected = manifest["tables"]
    wrong = [
        f"{t}: {counts.get(t)} rows, expected {expected.get(t)}"
        for t in sorted(expected.keys() | counts.keys())
        if counts.get(t) != expected.get(t)
    ]
    if wrong:
        raise BackupError("row counts differ after the restore: " + "; ".join(wrong))
    log(f"Database: {len(counts)} tables, {sum(counts.values())} rows, as in the manifest")

    problems = restore_media(storage, snapshot / "media", manifest["media"]["files"])
    if problems:
        raise BackupError("; ".join(problems))
    log(f"Media: {len(manifest['media']['files'])} files, checksums equal")
    return {"snapshot": snapshot, "tables": counts, "pending_migrations": pending}
