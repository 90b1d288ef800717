"""Plain Markdown files, with or without front matter; the base the other file formats extend."""

import re

from django.utils.translation import gettext as _

from articles.rendering import markdown_plain_text
from transfer import frontmatter as fm
from transfer.media import image_candidates
from transfer.notes import ParsedNote, SkipFile, SourceFile

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}

# Front-matter keys, in order of preference.
DATE_KEYS = ("date", "publishDate", "pubDate", "created", "created_at")
UPDATED_KEYS = ("updated", "lastmod", "last_modified_at", "modified", "updated_at")
SUMMARY_KEYS = ("summary", "excerpt", "description")
SLUG_KEYS = ("slug", "permalink", "url")


def read_text(path):
    """The file as text (UTF-8, a BOM dropped); SkipFile with the line of the first bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        reason = _("not UTF-8 text (byte %(byte)d)") % {"byte": error.start}
        raise SkipFile(reason, line=line) from error


def is_hidden(path, root):
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts[:-1])


class MarkdownFormat:
    name = "markdown"
    # Folders (from the site's root) that root-relative links (/images/x.png) may point into.
    static_dirs = ()

    def detect(self, path):
        """The site's root if ``path`` is of this format, else None (Markdown: anything)."""
        return path if path.is_dir() else path.parent

    def discover(self, path, root):
        """The source files under ``path`` (a folder or one file)."""
        if path.is_file():
            if path.suffix.lower() not in MARKDOWN_SUFFIXES:
                suffixes = ", ".join(sorted(MARKDOWN_SUFFIXES))
                raise SkipFile(_("not a Markdown file (%(suffixes)s)") % {"suffixes": suffixes})
            files = [path]
        else:
            files = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file() and not is_hidden(p, path)
            )
        return [self.source_file(file, root) for file in files]

    def discover_posts(self, path, root, posts, drafts):
        """Hexo's and Jekyll's layout: the root's posts and drafts folders (a draft by location)."""
        folders = [posts, drafts] if path == root else [path]
        sources = []
        for folder in folders:
            for source in MarkdownFormat.discover(self, folder, root) if folder.exists() else []:
                source.draft_by_location = "_drafts" in source.path.relative_to(root).parts
                sources.append(source)
        return sources

    def source_file(self, path, root, **extra):
        key = path.relative_to(root).as_posix()
        return SourceFile(format=self.name, key=key, label=key, root=root, path=path, **extra)

    # ----------------------------------------------------------------- one file -> one note

    def parse(self, source: SourceFile) -> ParsedNote:
        text = read_text(source.path)
        metadata, body, body_line = fm.split(text)
        if not body.strip():
            raise SkipFile(_("empty body"), line=body_line)
        title = metadata.get("title")
        if title is None or title == "":
            title = self.default_title(source, body)
        if not isinstance(title, str | int | float):
            raise SkipFile(_("the title is not text"), line=fm.key_line(text, "title"))
        title = " ".join(str(title).split())
        if len(title) > 200:
            raise SkipFile(_("the title is longer than 200 characters"), fm.key_line(text, "title"))
        note = ParsedNote(
            source=source,
            title=title,
            body=body,
            body_line=body_line,
            base_dir=source.path.parent,
            draft=source.draft_by_location or fm.draft_flag(metadata),
            categories=self.names(metadata.get("categories") or metadata.get("category")),
            tags=self.names(metadata.get("tags") or metadata.get("tag")),
        )
        note.published_at = self._date(text, metadata, DATE_KEYS) or self.default_date(source)
        note.revised_at = self._date(text, metadata, UPDATED_KEYS)
        slug = next((metadata[k] for k in SLUG_KEYS if metadata.get(k)), None)
        note.slug = fm.clean_slug(slug) if slug else self.default_slug(source, note)
        summary = next((metadata[k] for k in SUMMARY_KEYS if metadata.get(k)), "")
        before, note.body = fm.split_more(note.body)
        if summary:
            note.summary = " ".join(str(summary).split())
        elif before is not None and before.strip():
            # Plain text with formulas as written: the card typesets them (see render_article).
            note.summary = markdown_plain_text(before)
        return note

    def _date(self, text, metadata, keys):
        for key in keys:
            if metadata.get(key) not in (None, ""):
                try:
                    return fm.as_datetime(metadata[key])
                except ValueError as error:
                    raise SkipFile(
                        _("%(key)s: %(error)s, expected e.g. 2024-05-01 10:00:00")
                        % {"key": key, "error": error},
                        line=fm.key_line(text, key),
                    ) from error
        return None

    def names(self, value):
        return fm.string_list(value)

    def default_title(self, source, body):
        return source.path.stem

    def default_slug(self, source, note):
        stem = source.path.stem
        if stem.lower() in {"index", "_index", "readme"}:
            stem = source.path.parent.name
        return fm.clean_slug(stem)

    def default_date(self, source):
        return None

    # ----------------------------------------------------------------- links and images

    def prepare_body(self, note):
        """Format-specific embeds turned into Markdown images (Hexo asset_img, Hugo figure...)."""
        return note.body

    def image_path_candidates(self, note, ref):
        return image_candidates(note, ref, self.static_dirs)


def markdown_image(alt, url, title=""):
    """``![alt](url "title")``, the URL in <> when it has spaces."""
    alt = re.sub(r"([\[\]])", r"\\\1", alt or "")
    url = f"<{url}>" if re.search(r"\s", url) else url
    title = ' "{}"'.format(title.replace('"', "'")) if title else ""
    return f"![{alt}]({url}{title})"


def find_ancestor(path, test):
    """The first of ``path`` and its parents for which ``test(folder)`` holds, or None."""
    folder = path if path.is_dir() else path.parent
    for candidate in [folder, *folder.parents]:
        if test(candidate):
            return candidate
    return None


FORMAT = MarkdownFormat()
