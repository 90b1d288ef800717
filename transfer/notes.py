"""The importer's vocabulary: a source file, the note parsed from it, and why a file is skipped."""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


class SkipFile(Exception):  # noqa: N818 (it is a verdict, not an error of ours)
    """A file that cannot be imported: the reason (and line) goes into the report."""

    def __init__(self, reason, line=None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass
class SourceFile:
    """One unit of import: a Markdown file, or one post of a WordPress export."""

    format: str
    key: str  # stable within the format: the path from the site's root, or the WXR post id
    label: str  # what the report names: a path, or "export.xml#42"
    root: Path  # the site's root: root-relative links (/images/x.png) resolve against it
    path: Path | None = None  # the file, for file-based formats
    payload: Any = None  # format-specific data (a WXR item)
    draft_by_location: bool = False  # in _drafts/ (Hexo, Jekyll)


@dataclass
class ParsedNote:
    """A note as the source describes it, before categories, media and links are resolved."""

    source: SourceFile
    title: str
    body: str
    slug: str = ""
    summary: str = ""
    published_at: datetime | None = None
    revised_at: datetime | None = None
    draft: bool = False
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    base_dir: Path | None = None  # where relative links resolve (the file's folder)
    # Line of the body's first line in the file, for messages about the body.
    body_line: int = 1
