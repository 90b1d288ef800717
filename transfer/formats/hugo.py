"""Hugo: ``content/`` with YAML, TOML or JSON front matter, page bundles, ``{{< figure >}}``."""

import re
import shlex

from transfer.formats.markdown import MarkdownFormat, find_ancestor, markdown_image
from transfer.media import map_prose

CONFIG_NAMES = [
    f"{name}.{ext}" for name in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
]
FIGURE_RE = re.compile(r"\{\{[<%]\s*figure\s+(.*?)\s*/?[>%]\}\}", re.DOTALL)


def _is_site(folder):
    return (folder / "content").is_dir() and (
        any((folder / name).is_file() for name in CONFIG_NAMES) or (folder / "archetypes").is_dir()
    )


def _figure(match):
    try:
        words = shlex.split(match.group(1))
    except ValueError:
        return match.group(0)
    params = dict(word.split("=", 1) for word in words if "=" in word)
    if not params.get("src"):
        return match.group(0)
    caption = params.get("caption") or params.get("title") or ""
    return markdown_image(params.get("alt") or caption, params["src"], caption)


class HugoFormat(MarkdownFormat):
    name = "hugo"
    static_dirs = ("static", "assets")

    def detect(self, path):
        return find_ancestor(path, _is_site)

    def discover(self, path, root):
        start = root / "content" if path == root else path
        # _index.md files are section pages (lists), not notes.
        return [s for s in super().discover(start, root) if s.path.name != "_index.md"]

    def prepare_body(self, note):
        return map_prose(note.body, lambda text: FIGURE_RE.sub(_figure, text))


FORMAT = HugoFormat()
