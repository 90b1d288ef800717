"""Summaries: the note's plain text cut at SUMMARY_LENGTH grapheme clusters, never inside a
formula, URL or word; and the atoms other cutters (search snippets) keep whole."""

import html

import regex
from django.conf import settings

from articles.rendering.formulas import (
    PLACEHOLDER_RE,
    PLACEHOLDER_TAG,
    extract_math,
    restore_sources,
)
from articles.rendering.typesetting import FEED, PAGE, insert_math, typeset

ELLIPSIS = "..."  # the one cut mark, for snippets too: the product says summary cards end in "..."
_SENTENCE_END = "。！？.!?"

_ATOM_RE = regex.compile(
    r"(?P<ph>"
    + PLACEHOLDER_TAG
    + r"x(?P<n>\d+)x)|(?P<url>https?://\S+)|(?P<word>(?:(?!"
    + PLACEHOLDER_TAG
    + r")(?=[A-Za-z0-9_'’-])\X)+)|\X",  # a word is whole grapheme clusters: e + U+0301
    regex.VERSION1,
)


# _ATOM_RE without its groups, so that ``findall`` gives the atoms themselves.
_ATOM_ONLY_RE = regex.compile(
    "(?:"
    + PLACEHOLDER_TAG
    + r"x\d+x)|https?://\S+|(?:(?!"
    + PLACEHOLDER_TAG
    + r")(?=[A-Za-z0-9_'’-])\X)+|\X",
    regex.VERSION1,
)

_GRAPHEME_RE = regex.compile(r"\X")


def _graphemes(text):
    return len(_GRAPHEME_RE.findall(text))


def _size(atom):
    # In ASCII only CR LF is a cluster of two characters.
    if len(atom) == 1 or (atom.isascii() and "\r" not in atom):
        return len(atom)
    return _graphemes(atom)


def text_atoms(text):
    """[(atom, size)] for a ``text`` without formulas: the URLs, English words and grapheme
    clusters that a cutter keeps whole (as ``truncate`` does), sizes in grapheme clusters."""
    return [(atom, _size(atom)) for atom in _ATOM_ONLY_RE.findall(text)]


def truncate(text, formulas, length):
    """Cut ``text`` (formulas as placeholders) to ``length`` grapheme clusters: (text, cut?).

    Cuts only between atoms (a formula, a URL, an English word or one grapheme cluster) and
    prefers a sentence end in the last fifth of the budget.
    """
    kept, used, best_sentence = [], 0, None
    for match in _ATOM_RE.finditer(text):  # only up to the first atom over the budget
        atom = match.group(0)
        if match.group("ph"):
            size = _graphemes(formulas[int(match.group("n"))].source)
        else:
            # A URL may have swallowed a formula: count it as written.
            size = 1 if len(atom) == 1 else _graphemes(restore_sources(atom, formulas))
        if used + size > length:
            break
        kept.append(atom)
        used += size
        if atom in _SENTENCE_END and used >= length * 0.8:
            best_sentence = len(kept)
    else:
        return text, False
    if best_sentence:
        kept = kept[:best_sentence]
    return "".join(kept).rstrip(), True


def cut_summary(text, formulas, length=None):
    """The summary of a plain ``text`` (whitespace collapsed, formulas as placeholders):
    longer than ``length`` (default settings.SUMMARY_LENGTH) grapheme clusters, it is cut by
    ``truncate`` and ends with ELLIPSIS. Idempotent: its own output comes back unchanged."""
    length = settings.SUMMARY_LENGTH if length is None else length
    if text.endswith(ELLIPSIS) and not truncate(text.removesuffix(ELLIPSIS), formulas, length)[1]:
        return text
    cut, truncated = truncate(text, formulas, length)
    return cut + ELLIPSIS if truncated else cut


def summary_fragments(text, formulas):
    """(page HTML, feed HTML) for a summary ``text`` whose placeholders number ``formulas``:
    escaped, with the formulas it holds typeset."""
    held = sorted({int(number) for number in PLACEHOLDER_RE.findall(text)})
    typeset_formulas = dict(zip(held, typeset([formulas[i] for i in held]), strict=True))
    escaped = html.escape(text, quote=False)
    return (
        insert_math(escaped, typeset_formulas, formulas, PAGE),
        insert_math(escaped, typeset_formulas, formulas, FEED),
    )


def own_summary(summary):
    """(text, page HTML, feed HTML) for a hand-written summary: the author's text, whitespace
    collapsed, never cut."""
    summary_text = " ".join(summary.split())
    text, formulas = extract_math(summary_text)
    return (summary_text, *summary_fragments(text, formulas))
