"""Snippets: a window of a note's original text around the first match, terms marked.

The text is HTML-escaped piece by piece; only the ``<mark>`` elements added here are markup.
"""

import re
from html import escape

from django.conf import settings
from django.utils.safestring import mark_safe

ELLIPSIS = "…"


def _pattern(words):
    words = sorted({word for word in words if word}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


def highlight(text, words):
    """``text`` escaped, with every occurrence of ``words`` wrapped in ``<mark>``."""
    pattern = _pattern(words)
    if pattern is None:
        return mark_safe(escape(text))
    out, position = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def _window(text, start, length):
    """About ``length`` characters of ``text`` around ``start``, cut at spaces when near."""
    begin = max(0, start - length // 3)
    end = min(len(text), begin + length)
    begin = max(0, min(begin, end - length))
    if begin > 0:
        space = text.find(" ", begin, start)
        if space != -1 and space - begin < 15:
            begin = space + 1
    if end < len(text):
        space = text.rfind(" ", max(start, end - 15), end)
        if space != -1:
            end = space
    return begin, end


def snippet(text, words, length=None):
    """The part of ``text`` around the first of ``words`` (or its start), escaped and marked."""
    length = length or settings.SEARCH_SNIPPET_LENGTH
    pattern = _pattern(words)
    match = pattern.search(text) if pattern else None
    begin, end = _window(text, match.start() if match else 0, length)
    prefix = ELLIPSIS if begin > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return mark_safe(prefix + highlight(text[begin:end], words) + suffix)
