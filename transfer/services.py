"""Importing notes: sources found, parsed, then each file stored in its own transaction.

``Importer(options).collect(paths)`` finds the files (so a progress bar knows the total), and
``run()`` imports them and returns the report. A file is imported whole or not at all: its
note, tags, revision, ``ImportedSource`` row and media rows commit together, and images it
stored are deleted again if it fails. The search index follows after each commit.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from articles.models import Article, RevisionDetail
from articles.services import save_article
from transfer.categories import CategoryMapper
from transfer.formats import detect
from transfer.media import MediaCopier, find_file, rewrite_image_urls, stored_url_name
from transfer.models import ImportedSource
from transfer.notes import SkipFile

STATUS_CHOICES = ["keep", "draft", "published"]


@dataclass
class ImportOptions:
    author: object  # the user who owns new notes
    format: str = "auto"
    status: str = "keep"  # keep: the source's own draft flag
    category_map: dict | None = None
    default_category: str | None = None
    dry_run: bool = False


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (label, line, reason)
    images_copied: int = 0
    images_missing: list = field(default_factory=list)  # (label, reference, reason)
    links_missing: list = field(default_factory=list)  # (label, target)
    mapping: Counter = field(default_factory=Counter)  # (source name, category slug) -> notes
    unmapped: list = field(default_factory=list)  # (label, default category slug)
    renamed: list = field(default_factory=list)  # (label, slug wanted, slug used)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.skipped

    def skip(self, label, line, reason):
        self.skipped.append((label, line, reason))

    def summary_line(self):
        if self.dry_run:
            line = _(
                "Would import: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(skipped)d skipped; images to copy %(images)d, missing %(missing)d."
            )
        else:
            line = _(
                "Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(skipped)d skipped; images copied %(images)d, missing %(missing)d."
            )
        return line % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
            "images": self.images_copied,
            "missing": len(self.images_missing),
        }

    def detail_lines(self):
        """The report after the summary line, as (heading, [lines]) sections."""
        found = _("%(where)s: %(what)s")
        return [
            (
                _("Skipped"),
                [
                    found % {"where": _at(label, line), "what": reason}
                    for label, line, reason in self.skipped
                ],
            ),
            (
                _("Images missing"),
                [
                    _("%(where)s: %(image)s (%(reason)s)")
                    % {"where": label, "image": ref, "reason": why}
                    for label, ref, why in self.images_missing
                ],
            ),
            (
                _("Links to notes not found"),
                [found % {"where": lb, "what": f"[[{to}]]"} for lb, to in self.links_missing],
            ),
            (
                _("Category mapping used"),
                [
                    _("%(name)s -> %(slug)s: %(count)d note(s)")
                    % {"name": name, "slug": slug, "count": count}
                    for (name, slug), count in sorted(self.mapping.items())
                ],
            ),
            (_("Unmapped notes (default category)"), [f"{lb} -> {s}" for lb, s in self.unmapped]),
            (
                _("Slugs already taken"),
                [found % {"where": lb, "what": f"{a} -> {b}"} for lb, a, b in self.renamed],
            ),
        ]


def _at(label, line):
    return label if line is None else _("%(file)s, line %(line)s") % {"file": label, "line": line}


def note_digest(fields, tags):
    """SHA-256 of what an import stores: the same digest next time means nothing changed."""
    data = {key: str(value) for key, value in fields.items()}
    data["tags"] = sorted(tags)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def save_note(article, tags, *, user, revised_at):
    """The one place an import writes a note: saved with a revision ("Imported")."""
    return save_article(
        article,
        user=user,
        comment="Imported",
        tags=tags,
        revised_at=revised_at,
        kind=RevisionDetail.Kind.IMPORT,
    )


def unique_slug(slug, exclude_pk=None):
    candidate, n = slug, 2
    while Article.objects.filter(slug=candidate).exclude(pk=exclude_pk).exists():
        candidate, n = f"{slug[:190]}-{n}", n + 1
    return candidate


class Importer:
    def __init__(self, options):
        self.options = options
        self.mapper = CategoryMapper(options.category_map, options.default_category)
        self.media = MediaCopier(dry_run=options.dry_run)
        self.report = ImportReport(dry_run=options.dry_run)
        self.batches = []  # (format, [SourceFile])

    def collect(self, paths):
        """Find the files to import under ``paths``; return how many there are."""
        for path in paths:
            fmt, root = detect(path, self.options.format)
            try:
                self.batches.append((fmt, fmt.discover(path, root)))
            except SkipFile as error:
                self.report.skip(str(path), error.line, error.reason)
            except OSError as error:
                self.report.skip(str(path), None, _("cannot read: %(error)s") % {"error": error})
        return sum(len(sources) for _format, sources in self.batches)

    def run(self, advance=lambda: None):
        for fmt, sources in self.batches:
            notes = []
            for source in sources:
                try:
                    notes.append(fmt.parse(source))
                except SkipFile as error:
                    self.report.skip(source.label, error.line, error.reason)
                    advance()
                except OSError as error:
                    self.report.skip(
                        source.label, None, _("cannot read: %(error)s") % {"error": error}
                    )
                    advance()
            if hasattr(fmt, "link"):
                self.report.links_missing += fmt.link(notes)
            for note in notes:
                self.import_note(fmt, note)
                advance()
        self.report.images_copied = self.media.copied
        return self.report

    def import_note(self, fmt, note):
        self.media.begin_file()
        try:
            with transaction.atomic():
                self._store(fmt, note)
        except SkipFile as error:
            self.media.discard_file()
            self.report.skip(note.source.label, error.line, error.reason)
        except (ValidationError, DatabaseError) as error:
            self.media.discard_file()
            reason = "; ".join(getattr(error, "messages", [str(error)]))
            self.report.skip(
                note.source.label, None, _("not stored: %(reason)s") % {"reason": reason}
            )

    def _store(self, fmt, note):
        label, report = note.source.label, self.report
        resolution = self.mapper.resolve(note.categories, note.tags)
        if resolution.category is None:
            names = ", ".join([*note.categories, *note.tags]) or _("none")
            raise SkipFile(
                _("no category maps (%(names)s); name one with --default-category")
                % {"names": names}
            )
        body = rewrite_image_urls(fmt.prepare_body(note), lambda ref: self._image(fmt, note, ref))
        status = self.options.status
        if status == "keep":
            status = "draft" if note.draft else "published"
        existing = (
            ImportedSource.objects.select_related("article")
            .filter(format=fmt.name, source_key=note.source.key)
            .first()
        )
        fields = {
            "title": note.title,
            "slug": note.slug,
            "body": body,
            "summary": note.summary,
            "status": status,
            "published_at": note.published_at,
            "revised_at": note.revised_at,
            "category": resolution.category.slug,
        }
        tags = [tag[:100] for tag in resolution.tags]
        digest = note_digest(fields, tags)
        if resolution.matched:
            report.mapping[(resolution.matched, resolution.category.slug)] += 1
        else:
            report.unmapped.append((label, resolution.category.slug))
        if existing and existing.content_hash == digest:
            report.unchanged.append(label)
            return
        outcome = report.updated if existing else report.created
        if self.options.dry_run:
            outcome.append(label)
            return
        article = existing.article if existing else Article(author=self.options.author)
        slug = unique_slug(note.slug[:200], exclude_pk=article.pk) if note.slug else ""
        if slug and slug != note.slug:
            report.renamed.append((label, note.slug, slug))
        article.title, article.slug, article.body = note.title, slug, body
        article.summary, article.status = note.summary, status
        article.category = resolution.category
        if note.published_at is not None or article.pk is None:
            article.published_at = note.published_at
        article.full_clean(exclude=["author", "tags", "published_at", "slug"])
        # The source's updated/lastmod; a new note without one was last revised when published;
        # a changed note without one: save_article decides (now, if the text really changed).
        revised_at = note.revised_at or (note.published_at if article.pk is None else None)
        save_note(article, tags, user=self.options.author, revised_at=revised_at)
        ImportedSource.objects.update_or_create(
            format=fmt.name,
            source_key=note.source.key,
            defaults={"article": article, "content_hash": digest},
        )
        outcome.append(label)  # only once everything is stored

    def _image(self, fmt, note, ref):
        """The media URL replacing image link ``ref``, or None to leave it as written."""
        if stored_url_name(ref):
            return None
        candidates = fmt.image_path_candidates(note, ref)
        if not candidates:
            return None  # a URL elsewhere on the web: left alone
        path = find_file(candidates, note.source.root)
        if path is None:
            self.report.images_missing.append((note.source.label, ref, _("file not found")))
            return None
        try:
            return self.media.copy(path)
        except (ValidationError, OSError) as error:
            reason = "; ".join(getattr(error, "messages", [str(error)]))
            self.report.images_missing.append((note.source.label, ref, reason))
            return None
