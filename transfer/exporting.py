"""Exporting notes as a Hugo, Hexo or Jekyll site: one Markdown file per note, images beside it.

Importing an export gives the same notes: the body is written byte for byte (only our image
URLs become relative links, and an imported image keeps its stored name, so they come back
identical), and the front matter carries title, slug, dates, category, tags, draft and a
hand-written summary.
"""

import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from transfer import frontmatter as fm
from transfer.media import rewrite_image_urls, stored_url_name

EXPORT_FORMATS = ["hugo", "hexo", "jekyll"]

# The config file that lets ``import_notes --format auto`` recognise the site.
SITE_FILES = {"hugo": "hugo.toml", "hexo": "_config.yml", "jekyll": "_config.yml"}
POSTS_FOLDERS = {"hexo": "source/_posts", "jekyll": "_posts"}


class DirectorySink:
    def __init__(self, root):
        self.root = Path(root)
        self.written = set()  # an image used twice is written once

    def write(self, relative, data):
        if relative in self.written:
            return
        self.written.add(relative)
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class ZipSink:
    def __init__(self, file):
        self.zip = zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED)
        self.written = set()

    def write(self, relative, data):
        if str(relative) not in self.written:
            self.written.add(str(relative))
            self.zip.writestr(str(relative), data)

    def close(self):
        self.zip.close()


@dataclass
class ExportReport:
    notes: int = 0
    images: int = 0
    images_missing: list = field(default_factory=list)  # (slug, url)


def note_paths(article, style):
    """``(markdown file, image folder, link prefix)`` of a note in an export of ``style``."""
    draft = article.status != article.Status.PUBLISHED
    slug = article.slug
    if style == "hugo":
        folder = PurePosixPath("content/posts") / slug
        return folder / "index.md", folder, ""
    if style == "hexo":
        folder = PurePosixPath("source") / ("_drafts" if draft else "_posts")
        return folder / f"{slug}.md", folder / slug, f"{slug}/"
    images = PurePosixPath("assets/images") / slug
    if draft or article.published_at is None:
        name = PurePosixPath("_drafts") / f"{slug}.md"
    else:
        day = timezone.localtime(article.published_at).date().isoformat()
        name = PurePosixPath("_posts") / f"{day}-{slug}.md"
    return name, images, f"/{images}/"


def front_matter(article, style):
    metadata = {"title": article.title, "slug": article.slug}
    if article.published_at is not None:
        metadata["date"] = timezone.localtime(article.published_at)
    if article.revised_at is not None:
        updated = "lastmod" if style == "hugo" else "updated"
        metadata[updated] = timezone.localtime(article.revised_at)
    metadata["categories"] = [article.category.slug]
    metadata["tags"] = sorted(tag.name for tag in article.tags.all())
    if style == "hugo":
        metadata["draft"] = article.status != article.Status.PUBLISHED
    if article.summary:
        metadata["summary"] = article.summary
    return fm.dump(metadata, "toml" if style == "hugo" else "yaml")


def export_article(article, style, sink, report):
    markdown_path, image_folder, link_prefix = note_paths(article, style)

    def copy_image(url):
        name = stored_url_name(url)
        if name is None:
            return None
        try:
            with default_storage.open(f"{settings.MARKDOWNX_MEDIA_PATH}{name}") as file:
                sink.write(image_folder / name, file.read())
        except OSError:
            report.images_missing.append((article.slug, url))
            return None
        report.images += 1
        return f"{link_prefix}{name}"

    body = rewrite_image_urls(article.body, copy_image)
    sink.write(markdown_path, (front_matter(article, style) + body).encode())
    report.notes += 1


def export_notes(articles, style, sink, site_title="notes"):
    """Write ``articles`` (a queryset) into ``sink`` as a ``style`` site; return the report."""
    report = ExportReport()
    config = {"title": site_title, **({"post_asset_folder": True} if style == "hexo" else {})}
    sink.write(SITE_FILES[style], fm.dump(config, "toml" if style == "hugo" else "yaml", bare=True))
    if style in POSTS_FOLDERS:  # recognised as a site even when every note is a draft
        sink.write(f"{POSTS_FOLDERS[style]}/.keep", b"")
    for article in articles.select_related("category").prefetch_related("tags").iterator(500):
        export_article(article, style, sink, report)
    return report


def export_zip(articles, style, site_title="notes"):
    """The export as a zip file (spooled to disk past 20 MB), positioned at its start."""
    file = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115 (returned)
    sink = ZipSink(file)
    report = export_notes(articles, style, sink, site_title)
    sink.close()
    file.seek(0)
    return file, report
