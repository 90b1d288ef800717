"""Uploads for the admin's import: a .zip of a site or a WordPress .xml, kept between the dry
run and the confirmation in default storage (so any server can finish it), unpacked safely.
"""

import shutil
import stat
import tempfile
import uuid
import zipfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from transfer.formats.wxr import FORMAT as WXR

UPLOAD_FOLDER = "transfer-uploads/"
SUFFIXES = {".zip", ".xml"}


def max_upload_size():
    return getattr(settings, "IMPORT_UPLOAD_MAX_SIZE", 200 * 1024 * 1024)


def max_unpacked_size():
    return getattr(settings, "IMPORT_UNPACKED_MAX_SIZE", 1024 * 1024 * 1024)


MAX_MEMBERS = 20_000


def check_upload(upload):
    """The upload's suffix (.zip or .xml); ValidationError for anything else or too large."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(_("Upload a .zip of a site or vault, or a WordPress export (.xml)."))
    if upload.size > max_upload_size():
        limit = filesizeformat(max_upload_size())
        raise ValidationError(_("The file is larger than %(limit)s.") % {"limit": limit})
    if suffix == ".zip" and not zipfile.is_zipfile(upload):
        raise ValidationError(_("This .zip file cannot be read."))
    upload.seek(0)
    if suffix == ".xml" and b"wordpress.org/export" not in upload.read(4096):
        raise ValidationError(_("This .xml file is not a WordPress export (WXR)."))
    upload.seek(0)
    return suffix


def store_upload(upload, suffix):
    """Keep the upload until it is confirmed; return its token. Drops day-old unconfirmed ones."""
    discard_stale_uploads()
    token = f"{uuid.uuid4().hex}{suffix}"
    default_storage.save(f"{UPLOAD_FOLDER}{token}", upload)
    return token


def discard_upload(token):
    default_storage.delete(f"{UPLOAD_FOLDER}{token}")


def upload_exists(token):
    return default_storage.exists(f"{UPLOAD_FOLDER}{token}")


def discard_stale_uploads(age=timedelta(days=1)):
    if not default_storage.exists(UPLOAD_FOLDER.rstrip("/")):
        return
    for name in default_storage.listdir(UPLOAD_FOLDER)[1]:
        path = f"{UPLOAD_FOLDER}{name}"
        if default_storage.get_modified_time(path) < timezone.now() - age:
            default_storage.delete(path)


def _safe_member(info):
    """The member's relative path, or None for what is never unpacked (links, escapes)."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return None
    path = PurePosixPath(info.filename.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return path


def unpack_zip(file, target):
    """Unpack ``file`` into ``target``, refusing bombs (size, count) and paths that escape."""
    with zipfile.ZipFile(file) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ValidationError(
                ngettext(
                    "The .zip holds more than %(count)d file.",
                    "The .zip holds more than %(count)d files.",
                    MAX_MEMBERS,
                )
                % {"count": MAX_MEMBERS}
            )
        budget = max_unpacked_size()
        for info in members:
            relative = _safe_member(info)
            if relative is None or info.is_dir():
                continue
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, destination.open("wb") as out:
                # Counted while reading: a member's declared size may lie.
                while chunk := source.read(1024 * 1024):
                    budget -= len(chunk)
                    if budget < 0:
                        limit = filesizeformat(max_unpacked_size())
                        raise ValidationError(
                            _("The .zip unpacks to more than %(limit)s.") % {"limit": limit}
                        )
                    out.write(chunk)


def import_paths(folder):
    """What to import from an unpacked archive: its WordPress exports if it holds any at the
    top (with their ``wp-content/uploads`` beside them), else the site in it."""
    entries = [p for p in folder.iterdir() if not p.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir() and entries[0].name != ".obsidian":
        return import_paths(entries[0])
    exports = sorted(p for p in entries if p.suffix.lower() == ".xml" and WXR.detect(p))
    return exports or [folder]


@contextmanager
def unpacked(token):
    """The upload ``token`` on local disk: yields the paths to import (a folder or .xml files)."""
    workdir = Path(tempfile.mkdtemp(prefix="import-"))
    try:
        with default_storage.open(f"{UPLOAD_FOLDER}{token}") as stored:
            if token.endswith(".xml"):
                path = workdir / "export.xml"
                with path.open("wb") as out:
                    shutil.copyfileobj(stored, out)
                paths = [path]
            else:
                (workdir / "site").mkdir()
                unpack_zip(stored, workdir / "site")
                paths = import_paths(workdir / "site")
        yield paths
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
