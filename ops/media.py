"""Media files for backups, read and written through Django's storage API.

Going through ``storages["default"]`` (not MEDIA_ROOT on disk) means the same code backs up
the local FileSystemStorage and an S3 bucket served by django-storages.
"""

import hashlib
import posixpath
from pathlib import Path

from django.core.files import File

from ops.errors import BackupError

CHUNK = 1024 * 1024


def storage_files(storage, path=""):
    """Every file name in a storage, sorted, walking its folders."""
    try:
        dirs, files = storage.listdir(path)
    except FileNotFoundError:
        return []
    names = [posixpath.join(path, f) if path else f for f in sorted(files)]
    for d in sorted(dirs):
        names.extend(storage_files(storage, posixpath.join(path, d) if path else d))
    return names


def _copy(source, target):
    """Copy one open binary file to another; return (size, sha256)."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        target.write(chunk)
    return size, digest.hexdigest()


def file_digest(path):
    """(size, sha256) of a local file."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def safe_name(name):
    """Refuse names from a manifest that would escape the media folder."""
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise BackupError(f"unsafe media file name in the manifest: {name!r}")
    return name


def back_up_media(storage, folder):
    """Copy every stored file into ``folder``; return the manifest entries."""
    entries = []
    for name in storage_files(storage):
        target = Path(folder, *name.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, open(target, "wb") as out:
            size, sha256 = _copy(source, out)
        entries.append({"name": name, "size": size, "sha256": sha256})
    return entries


def check_media(folder, entries):
    """The snapshot's media folder holds exactly the manifest's files, with their checksums."""
    expected = {safe_name(e["name"]): e for e in entries}
    folder = Path(folder)
    present = (
        {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        if folder.is_dir()
        else set()
    )
    problems = [f"missing: {n}" for n in sorted(expected.keys() - present)]
    problems += [f"not in the manifest: {n}" for n in sorted(present - expected.keys())]
    for name in sorted(expected.keys() & present):
        size, sha256 = file_digest(folder / name)
        if (size, sha256) != (expected[name]["size"], expected[name]["sha256"]):
            problems.append(f"checksum differs: {name}")
    return problems


def restore_media(storage, folder, entries):
    """Save every file into the (empty) storage, then read each back and compare checksums."""
    for entry in entries:
        name = safe_name(entry["name"])
        with open(Path(folder, *name.split("/")), "rb") as f:
            saved = storage.save(name, File(f, name=name))
        if saved != name:
            raise BackupError(f"the media storage saved {name} as {saved}: it was not empty")
    problems = []
    for entry in entries:
        with storage.open(entry["name"], "rb") as f:
            size, sha256 = _copy(f, _Discard())
        if (size, sha256) != (entry["size"], entry["sha256"]):
            problems.append(f"checksum differs after restore: {entry['name']}")
    return problems


def empty_storage(storage):
    for name in storage_files(storage):
        storage.delete(name)


class _Discard:
    def write(self, data):
        return len(data)
