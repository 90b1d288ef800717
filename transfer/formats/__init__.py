"""Source formats: one module each, all with the interface of ``markdown.MarkdownFormat``."""

from transfer.formats import hexo, hugo, jekyll, markdown, obsidian, wxr

FORMATS = {
    module.FORMAT.name: module.FORMAT for module in (hexo, hugo, jekyll, obsidian, markdown, wxr)
}
# ``auto`` tries these in order; Markdown takes whatever is left.
DETECTION_ORDER = ["wxr", "obsidian", "hexo", "hugo", "jekyll", "markdown"]


def detect(path, name="auto"):
    """``(format, site root)`` for ``path``: the one named, or the first that recognises it."""
    if name != "auto":
        chosen = FORMATS[name]
        return chosen, chosen.detect(path) or (path if path.is_dir() else path.parent)
    for candidate in DETECTION_ORDER:
        root = FORMATS[candidate].detect(path)
        if root is not None:
            return FORMATS[candidate], root
    raise AssertionError("the Markdown format recognises every path")
