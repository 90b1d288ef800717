"""Hexo: ``source/_posts`` (and ``source/_drafts``), asset folders, ``{% asset_img %}``."""

import re
import shlex

from transfer.formats.markdown import MarkdownFormat, find_ancestor, markdown_image
from transfer.media import image_candidates, local_path, map_prose

# {% asset_img [class names] slug [width] [height] [title text [alt text]] %}
ASSET_IMG_RE = re.compile(r"\{%\s*asset_img\s+(.+?)\s*%\}")


def _asset_img(match):
    try:
        words = shlex.split(match.group(1))
    except ValueError:
        words = match.group(1).split()
    if not words:
        return match.group(0)
    name, rest = words[0], words[1:]
    while rest and rest[0].isdigit():  # width, height
        rest = rest[1:]
    title = rest[0] if rest else ""
    alt = rest[1] if len(rest) > 1 else title
    return markdown_image(alt, name, title if title != alt else "")


class HexoFormat(MarkdownFormat):
    name = "hexo"
    static_dirs = ("source",)

    def detect(self, path):
        return find_ancestor(path, lambda folder: (folder / "source" / "_posts").is_dir())

    def discover(self, path, root):
        source = root / "source"
        return self.discover_posts(path, root, source / "_posts", source / "_drafts")

    def prepare_body(self, note):
        return map_prose(note.body, lambda text: ASSET_IMG_RE.sub(_asset_img, text))

    def image_path_candidates(self, note, ref):
        # post_asset_folder: the folder named like the post, beside it.
        candidates = image_candidates(note, ref, self.static_dirs)
        path = local_path(ref)
        if path and not path.startswith("/"):
            candidates.append(note.source.path.with_suffix("") / path)
        return candidates


FORMAT = HexoFormat()
