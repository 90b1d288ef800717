"""Shared by test_import.py and test_export.py: the test sites and a snapshot of the notes."""

from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from articles.models import Article
from transfer.models import ImportedMedia, ImportedSource

SITES = Path(__file__).parent / "data" / "import"
SITE_PATHS = {
    "hexo": SITES / "hexo",
    "hugo": SITES / "hugo",
    "jekyll": SITES / "jekyll",
    "obsidian": SITES / "obsidian",
    "wxr": SITES / "wxr" / "blog.xml",
}


def import_notes(*paths, **options):
    """Run the command; return ``(succeeded, output)`` (it fails when files were skipped)."""
    out = StringIO()
    try:
        call_command("import_notes", *map(str, paths), stdout=out, stderr=out, **options)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def snapshot():
    """Everything an import stores, by note id: compared before and after importing again."""
    notes = {}
    for article in Article.objects.select_related("category").prefetch_related("tags"):
        notes[article.pk] = {
            "title": article.title,
            "slug": article.slug,
            "body": article.body,
            "summary": article.summary,
            "status": article.status,
            "published_at": article.published_at,
            "revised_at": article.revised_at,
            "category": article.category.slug,
            "tags": sorted(tag.name for tag in article.tags.all()),
            "body_html": article.body_html,
        }
    sources = sorted(ImportedSource.objects.values_list("format", "source_key", "article_id"))
    media = sorted(ImportedMedia.objects.values_list("sha256", "stored_name"))
    return notes, sources, media


def by_slug():
    """The notes' content keyed by slug (ids differ between two databases)."""
    return {note["slug"]: note for note in snapshot()[0].values()}
