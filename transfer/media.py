"""Images of imported notes: found on disk, copied into media through the editor's upload checks
(``articles.uploads``: Pillow-verified, size- and pixel-capped, re-encoded), links rewritten.

An image is copied once: ``ImportedMedia`` remembers it by the SHA-256 of the source file, so
importing again reuses the stored file and leaves the note's body unchanged. A file that is
missing or refused is reported and its link left as written; it never stops the import.
"""

import hashlib
import re
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from articles.images import VARIANT_WIDTHS, remove_files, storage_name, variant_name
from articles.uploads import (
    IMAGE_FORMATS,
    STORED_NAME_PATTERN,
    image_url,
    reencode_image,
    save_image,
)
from transfer.models import ImportedMedia

# ![alt](url "title") and ![alt](<url with spaces>), and <img src="url">.
MARKDOWN_IMAGE_RE = re.compile(
    r"(?P<head>!\[(?:[^\]\\]|\\.)*\]\(\s*)(?P<url><[^>\n]+>|[^\s)]+)(?P<tail>(?:\s+\"[^\"]*\")?\s*\))"
)
HTML_IMAGE_RE = re.compile(
    r"(?P<head><img\b[^>]*?\bsrc\s*=\s*[\"'])(?P<url>[^\"']+)(?P<tail>[\"'])", re.IGNORECASE
)
FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
INLINE_CODE_RE = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)
STORED_NAME_RE = re.compile(STORED_NAME_PATTERN)


def prose_segments(text):
    """``(is_code, piece)`` pieces of Markdown ``text``: fenced blocks and code spans are code."""
    fence, prose = None, []

    def flush():
        chunk = "".join(prose)
        prose.clear()
        last = 0
        for span in INLINE_CODE_RE.finditer(chunk):
            yield False, chunk[last : span.start()]
            yield True, span.group(0)
            last = span.end()
        yield False, chunk[last:]

    for line in text.splitlines(keepends=True):
        opened = FENCE_RE.match(line)
        if fence is None and opened:
            yield from flush()
            fence = opened.group(1)
            yield True, line
        elif fence is not None:
            if line.lstrip().startswith(fence):
                fence = None
            yield True, line
        else:
            prose.append(line)
    yield from flush()


def map_prose(text, function):
    """``text`` with ``function`` applied to its prose only (never inside code)."""
    return "".join(piece if code else function(piece) for code, piece in prose_segments(text))


def rewrite_image_urls(text, replace):
    """Every image URL outside code passed through ``replace(url) -> new url or None``."""

    def substitute(match):
        url = match.group("url")
        bracketed = url.startswith("<")
        new = replace(url[1:-1] if bracketed else url)
        if new is None:
            return match.group(0)
        return match.group("head") + new + match.group("tail")

    def in_prose(piece):
        return HTML_IMAGE_RE.sub(substitute, MARKDOWN_IMAGE_RE.sub(substitute, piece))

    return map_prose(text, in_prose)


def local_path(url):
    """The path part of a link that may name a local file, or None (URLs, data:, anchors)."""
    if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", url, re.IGNORECASE):
        return None
    return unquote(url.split("#", 1)[0].split("?", 1)[0])


def inside(path, root):
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


class MediaCopier:
    """Copies images into media for one import run (``dry_run``: checks them, stores nothing)."""

    def __init__(self, dry_run=False):
        self.dry_run = dry_run
        self.by_path = {}  # resolved path -> URL, for this run
        self.stored = []  # (name, path) stored by the current file, deleted if it fails
        self.copied = 0

    def begin_file(self):
        self.stored = []

    def discard_file(self):
        """The file's import failed: remove the images it stored (their rows roll back)."""
        for name, key in self.stored:
            # The original and the resized copies the upload path made of it (rows roll back).
            stem = name.removeprefix(settings.MARKDOWNX_MEDIA_PATH)
            copies = [storage_name(variant_name(stem, width)) for width in VARIANT_WIDTHS]
            remove_files([name, *copies])
            self.by_path.pop(key, None)
        self.copied -= len(self.stored)
        self.stored = []

    def copy(self, path):
        """The media URL for the image at ``path``; raises ValidationError if it is refused."""
        key = path.resolve()
        if key in self.by_path:
            return self.by_path[key]
        size = path.stat().st_size
        if size > settings.MARKDOWNX_UPLOAD_MAX_SIZE:
            limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE // (1024 * 1024)
            raise ValidationError(_("image larger than %(limit)d MB") % {"limit": limit})
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        known = ImportedMedia.objects.filter(sha256=digest).first()
        if known and default_storage.exists(known.stored_name):
            url = image_url(known.stored_name)
        else:
            with path.open("rb") as file:
                image_format, encoded = reencode_image(file)
            url = self._store(path, digest, image_format, encoded, known)
        self.by_path[key] = url
        return url

    def _store(self, path, digest, image_format, encoded, known):
        extension = IMAGE_FORMATS[image_format][0]
        # An exported note's image keeps its stored name, so the body comes back byte-identical.
        keep = path.name if STORED_NAME_RE.fullmatch(path.name) else None
        if keep and not keep.endswith("." + extension):
            keep = None
        if self.dry_run:
            self.copied += 1
            name = keep or f"(new).{extension}"
            # Only shown in the dry-run report: a new name is not a stored one yet.
            return default_storage.url(f"{settings.MARKDOWNX_MEDIA_PATH}{name}")
        full_name = f"{settings.MARKDOWNX_MEDIA_PATH}{keep}" if keep else None
        if full_name and default_storage.exists(full_name):
            url = image_url(full_name)
        else:
            url = save_image(image_format, encoded, name=keep)
            full_name = f"{settings.MARKDOWNX_MEDIA_PATH}{url.rsplit('/', 1)[-1]}"
            self.stored.append((full_name, path.resolve()))
            self.copied += 1
        if known:
            known.stored_name = full_name
            known.save(update_fields=["stored_name"])
        else:
            ImportedMedia.objects.create(sha256=digest, stored_name=full_name)
        return url


def find_file(candidates, root):
    """The first of ``candidates`` that is a file inside ``root``, or None."""
    for candidate in candidates:
        try:
            if candidate is not None and inside(candidate, root) and candidate.is_file():
                return candidate
        except (OSError, ValueError):  # a name too long, a NUL byte: no such file
            continue
    return None


def image_candidates(note, ref, static_dirs=()):
    """Where a link ``ref`` of ``note`` may point: beside the note, or from the site's root."""
    path = local_path(ref)
    if not path:
        return []
    root = note.source.root
    if path.startswith("/"):
        relative = path.lstrip("/")
        return [root / relative, *(root / folder / relative for folder in static_dirs)]
    base = note.base_dir or root
    return [base / path, root / path]


def stored_url_name(url):
    """The stored name when ``url`` is one of our media images, else None (for exports)."""
    name = url.rsplit("/", 1)[-1]
    if not STORED_NAME_RE.fullmatch(name):
        return None
    return name if image_url(name) == url else None
