"""Images: sizes, resized variants and captions, decided at save time from facts passed in.

The renderer knows nothing of storage or models (import-linter contract): the caller gives
``render_article(..., images=lookup)``, a callable taking the set of image URLs of a note and
returning ``{url: ImageFacts}`` for those it knows (articles.images answers for uploads).
Every image then gets:

- ``width``/``height`` from the file (the browser reserves the box: no layout shift) and,
  when resized variants exist, ``srcset``/``sizes`` so the browser picks the smallest that
  is sharp enough;
- ``loading="lazy"`` and ``decoding="async"``, except the note's first image, which is
  usually above the fold and should not wait;
- a ``<figure>`` with a ``<figcaption>`` when the author wrote a title
  (``![alt](url "title")``) and the image stands alone in its paragraph (a figure cannot
  sit inside a paragraph; an image amid text keeps its title as a tooltip). The alt text
  stays the alt text.

Feeds get one ``src`` per image, the largest variant (``feed_images``): readers vary too
much for ``srcset``, and the feed's URLs are made absolute when served (feeds.html).
"""

import html
from dataclasses import dataclass

import regex
from markdown_it.token import Token

# The note column is at most 42rem wide (site.css ``--measure``), the page padded 1rem.
SIZES = "(max-width: 44rem) calc(100vw - 2rem), 42rem"


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    srcset: tuple = ()  # ((url, width in px), ...) ascending; empty: no resized variants


def _images(tokens):
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                yield child


def _standalone_image(inline):
    """The image of a paragraph that holds nothing else (whitespace aside), else None."""
    children = [
        child
        for child in inline.children or ()
        if not (child.type == "text" and not child.content.strip()) and child.type != "softbreak"
    ]
    if len(children) == 1 and children[0].type == "image":
        return children[0]
    return None


def _figures(tokens):
    """Turn each paragraph that is just one titled image into a figure with its caption."""
    for index, token in enumerate(tokens):
        if token.type != "paragraph_open" or tokens[index + 1].type != "inline":
            continue
        inline = tokens[index + 1]
        image = _standalone_image(inline)
        title = image.attrGet("title") if image is not None else None
        if not title or not title.strip():
            continue
        close = tokens[index + 2]
        # A tight list hides its paragraphs' tags; a figure's must show.
        for tag in (token, close):
            tag.type, tag.tag, tag.hidden = tag.type.replace("paragraph", "figure"), "figure", False
        image.attrs.pop("title")
        caption = Token("html_inline", "", 0)
        caption.content = f"<figcaption>{html.escape(title.strip())}</figcaption>"
        inline.children.append(caption)


def _image_facts(state):
    """Core rule: size, variants, loading and captions of every image (see the module doc)."""
    images = list(_images(state.tokens))
    if not images:
        return
    lookup = state.env.get("images")
    known = lookup({image.attrGet("src") for image in images}) if lookup else {}
    for position, image in enumerate(images):
        facts = known.get(image.attrGet("src"))
        if facts is not None:
            image.attrSet("width", str(facts.width))
            image.attrSet("height", str(facts.height))
            if facts.srcset:
                image.attrSet("srcset", ", ".join(f"{url} {w}w" for url, w in facts.srcset))
                image.attrSet("sizes", SIZES)
        if position > 0:
            image.attrSet("loading", "lazy")
            image.attrSet("decoding", "async")
    _figures(state.tokens)


def images_plugin(md):
    md.core.ruler.push("image_facts", _image_facts)


# An <img> start tag as the sanitiser writes it: attribute values always double-quoted.
_IMG_RE = regex.compile(r'<img(?:\s+[^\s=>/]+(?:="[^"]*")?)*\s*/?>')
_ATTRIBUTE_RE = regex.compile(r'\s+([^\s=>/]+)(?:="([^"]*)")?')
_FEED_DROPPED = {"srcset", "sizes", "loading", "decoding"}


def _feed_image(match):
    attributes = dict(_ATTRIBUTE_RE.findall(match.group()[4:]))
    candidates = parse_srcset(html.unescape(attributes.get("srcset", "")))
    if not candidates and not _FEED_DROPPED & attributes.keys():
        return match.group()
    if candidates:
        attributes["src"] = html.escape(max(candidates, key=lambda c: c[1])[0])
    kept = "".join(
        f' {name}="{value}"' for name, value in attributes.items() if name not in _FEED_DROPPED
    )
    return f"<img{kept}>"


def feed_images(fragment):
    """Sanitised ``fragment`` with each image's ``src`` its largest ``srcset`` candidate and
    no ``srcset``, ``sizes``, ``loading`` or ``decoding`` (what a feed reader should get)."""
    if "<img" not in fragment:
        return fragment
    return _IMG_RE.sub(_feed_image, fragment)


_CANDIDATE_RE = regex.compile(r"\s*([^\s,]+)\s+([1-9][0-9]{0,4})w\s*")


def parse_srcset(value):
    """``[(url, width), ...]`` of a ``srcset`` made of ``url Nw`` candidates, else ``[]``.

    Only the width form is accepted (it is all the renderer writes); URLs must not contain
    commas or whitespace, which ours never do.
    """
    if not value:
        return []
    candidates = []
    for part in value.split(","):
        match = _CANDIDATE_RE.fullmatch(part)
        if match is None:
            return []
        candidates.append((match[1], int(match[2])))
    return candidates
