"""Sanitising by nh3 with an explicit allowlist (nh3's defaults also drop ``class``)."""

import nh3
import regex

from articles.rendering.images import parse_srcset

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd",
    "li", "mark", "ol", "p", "pre", "s", "section", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href", "aria-label"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Image attributes kept only with a value of the form the renderer writes (authors may write
# raw <img>): a size in pixels, a keyword, media conditions and lengths, same-site or http(s)
# URLs with width descriptors.
_PIXELS_RE = regex.compile(r"[1-9][0-9]{0,4}")
_SIZES_RE = regex.compile(r"[a-z0-9 ().,%+*/:-]{1,200}")
_SRCSET_URL_RE = regex.compile(r"(?:/(?!/)|https?://)[^\s\\\"'<>]*")


def _safe_srcset(value):
    candidates = parse_srcset(value)
    return bool(candidates) and all(_SRCSET_URL_RE.fullmatch(url) for url, _ in candidates)


_IMAGE_VALUES = {
    "width": _PIXELS_RE.fullmatch,
    "height": _PIXELS_RE.fullmatch,
    "loading": {"lazy", "eager"}.__contains__,
    "decoding": {"async", "sync", "auto"}.__contains__,
    "sizes": _SIZES_RE.fullmatch,
    "srcset": _safe_srcset,
}


def _safe_value(element, attribute, value):
    """nh3's attribute_filter: drop an image attribute whose value is not of a safe form."""
    if element == "img" and attribute in _IMAGE_VALUES:
        return value if _IMAGE_VALUES[attribute](value) else None
    return value


def sanitise(fragment):
    """nh3 with the allowlist above: no script, handler, style, form or bad URL."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_safe_value,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def strip_tags(fragment):
    """The text of an HTML ``fragment``, every tag removed (entities still escaped)."""
    return nh3.clean(fragment, tags=set())
