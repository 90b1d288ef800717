"""Jekyll: ``_posts/YYYY-MM-DD-slug.md`` (date and slug from the name), ``_drafts/``."""

import re
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from transfer import frontmatter as fm
from transfer.formats.markdown import MarkdownFormat, find_ancestor
from transfer.media import map_prose
from transfer.notes import SkipFile

DATED_NAME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
# {{ site.baseurl }}/assets/x.png and {{ "/assets/x.png" | relative_url }}
BASEURL_RE = re.compile(r"\{\{\s*site\.(?:url|baseurl)\s*\}\}")
RELATIVE_URL_RE = re.compile(
    r"\{\{\s*[\"']([^\"']+)[\"']\s*\|\s*(?:relative_url|absolute_url)\s*\}\}"
)


def _is_site(folder):
    return (folder / "_posts").is_dir() or (
        folder.name == "_posts" and (folder.parent / "_config.yml").is_file()
    )


class JekyllFormat(MarkdownFormat):
    name = "jekyll"
    static_dirs = ()

    def detect(self, path):
        folder = find_ancestor(path, _is_site)
        return folder.parent if folder is not None and folder.name == "_posts" else folder

    def discover(self, path, root):
        return self.discover_posts(path, root, root / "_posts", root / "_drafts")

    def parse(self, source):
        if not source.draft_by_location and not DATED_NAME_RE.match(source.path.stem):
            raise SkipFile(_("a post's name must start with its date: YYYY-MM-DD-title.md"), line=1)
        return super().parse(source)

    def names(self, value):
        # Jekyll splits a string of categories or tags at spaces.
        return value.split() if isinstance(value, str) else super().names(value)

    def default_date(self, source):
        dated = DATED_NAME_RE.match(source.path.stem)
        if not dated:
            return None
        try:
            day = datetime(*(int(part) for part in dated.groups()[:3]))
        except ValueError as error:
            reason = _("the date in the name does not exist: %(error)s") % {"error": error}
            raise SkipFile(reason, line=1) from error
        return timezone.make_aware(day)

    def default_slug(self, source, note):
        dated = DATED_NAME_RE.match(source.path.stem)
        return fm.clean_slug(dated.group(4) if dated else source.path.stem)

    def prepare_body(self, note):
        def in_prose(text):
            return BASEURL_RE.sub("", RELATIVE_URL_RE.sub(r"\1", text))

        return map_prose(note.body, in_prose)


FORMAT = JekyllFormat()
