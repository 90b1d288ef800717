"""Obsidian vaults (``.obsidian/``): ``![[image.png]]`` embeds and ``[[wikilinks]]``.

A note's title is its file name unless the front matter says otherwise. Embedded images are
found as Obsidian finds them: by path from the vault's root, beside the note, or by name
anywhere in the vault. Links to other notes of the vault become links to their pages.
"""

import re
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from transfer.formats.markdown import (
    MARKDOWN_SUFFIXES,
    MarkdownFormat,
    find_ancestor,
    markdown_image,
)
from transfer.media import image_candidates, local_path, map_prose
from transfer.notes import SourceFile

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp"}
# ![[target|size or alt]] and [[target#heading|alias]]
EMBED_RE = re.compile(r"!\[\[([^\]|#\n]+)(?:#[^\]|\n]*)?(?:\|([^\]\n]*))?\]\]")
WIKILINK_RE = re.compile(r"(?<!!)\[\[([^\]|#\n]*)(?:#([^\]|\n]*))?(?:\|([^\]\n]*))?\]\]")


def _key(name):
    return name.strip().removesuffix(".md").casefold()


class ObsidianFormat(MarkdownFormat):
    name = "obsidian"

    def __init__(self):
        self.files_by_name = {}

    def detect(self, path):
        return find_ancestor(path, lambda folder: (folder / ".obsidian").is_dir())

    def discover(self, path, root):
        self.files_by_name = {}
        for file in sorted(root.rglob("*")):
            relative = file.relative_to(root).parts
            if file.is_file() and not any(part.startswith(".") for part in relative):
                self.files_by_name.setdefault(file.name.casefold(), file)
        start = root if path == root else path
        files = [start] if start.is_file() else sorted(
            f for f in start.rglob("*")
            if f.suffix.lower() in MARKDOWN_SUFFIXES and f.is_file()
            and not any(p.startswith(".") for p in f.relative_to(root).parts)
        )  # fmt: skip
        return [self.source_file(file, root) for file in files]

    def default_date(self, source: SourceFile):
        return timezone.make_aware(datetime.fromtimestamp(source.path.stat().st_mtime))

    def prepare_body(self, note):
        def embed(match):
            target, option = match.group(1).strip(), (match.group(2) or "").strip()
            if target.rsplit(".", 1)[-1].lower() in {s[1:] for s in IMAGE_SUFFIXES}:
                alt = "" if option.isdigit() or re.fullmatch(r"\d+x\d+", option) else option
                return markdown_image(alt, target)
            return f"[[{match.group(1)}]]"  # a note embedded: linked instead

        return map_prose(note.body, lambda text: EMBED_RE.sub(embed, text))

    def image_path_candidates(self, note, ref):
        candidates = image_candidates(note, ref)
        path = local_path(ref)
        if path:
            candidates.append(self.files_by_name.get(path.rsplit("/", 1)[-1].casefold()))
        return candidates

    def link(self, notes):
        """Rewrite ``[[wikilinks]]`` between ``notes``; return the (label, target) not found."""
        slugs = {}
        for note in notes:
            relative = note.source.key
            for name in (note.source.path.stem, relative, note.title):
                slugs.setdefault(_key(name), note.slug)
        missing = []

        def replace(note, match):
            target, alias = match.group(1), match.group(3)
            text = (alias or target or match.group(2) or "").strip()
            if not target.strip():  # [[#heading]]: a link inside the same note
                return text
            slug = slugs.get(_key(target)) or slugs.get(_key(target.rsplit("/", 1)[-1]))
            if slug is None:
                missing.append((note.source.label, target.strip()))
                return text
            return f"[{text}]({reverse('articles:article_detail', kwargs={'slug': slug})})"

        for note in notes:
            note.body = map_prose(
                note.body, lambda text, n=note: WIKILINK_RE.sub(lambda m: replace(n, m), text)
            )
        return missing


FORMAT = ObsidianFormat()
