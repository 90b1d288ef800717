"""Snippets: a window of a note's original text around the first match, terms marked, math typeset.

The window is made of the rendering module's atoms (``rendering.text_atoms``): a formula, a
URL, an English word or one grapheme cluster is never cut. Terms are marked in the text
outside formulas only; formulas are typeset by KaTeX (``rendering.typeset``, cached), in one
batch for a whole page of snippets. Text is HTML-escaped once, here; only the ``<mark>``
elements and KaTeX's output are markup.
"""

import bisect
import dataclasses
import itertools
import re
from dataclasses import dataclass
from html import escape

import regex
from django.conf import settings
from django.utils.safestring import mark_safe

from articles.rendering import ELLIPSIS, Formula, split_math, text_atoms, typeset
from articles.rendering.formulas import iter_split_math


def _pattern(words):
    words = sorted({word for word in words if word}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


def _highlight(text, pattern):
    if pattern is None:
        return escape(text)
    out, position = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def highlight(text, words):
    """``text`` escaped, with every occurrence of ``words`` wrapped in ``<mark>``."""
    return mark_safe(_highlight(text, _pattern(words)))


_GRAPHEME_RE = regex.compile(r"\X")


def _graphemes(text):
    # Most formulas are ASCII, where only CR LF is a cluster of two characters.
    if text.isascii() and "\r" not in text:
        return len(text)
    return len(_GRAPHEME_RE.findall(text))


def _length(segment):
    return len(segment.source) if isinstance(segment, Formula) else len(segment)


class _Segments:
    """``split_math(text)`` (``segments``) and where each part starts (``offsets``, one more:
    where the last part read ends), split only as far as it has been read."""

    def __init__(self, text):
        self._parts = iter_split_math(text)
        self.segments, self.offsets = [], [0]

    def _read_one(self):
        part = next(self._parts, None)
        if part is None:
            return False
        self.segments.append(part)
        self.offsets.append(self.offsets[-1] + _length(part))
        return True

    def read_past(self, position):
        """Split on until a part ends after ``position`` (or the text does)."""
        while self.offsets[-1] <= position and self._read_one():
            pass

    def __iter__(self):
        """(offset, segment) from the first, splitting on as needed."""
        index = 0
        while index < len(self.segments) or self._read_one():
            yield self.offsets[index], self.segments[index]
            index += 1


def _anchor(parts, pattern, length):
    """(start, stop) offsets in the text that the window must hold, or None when nothing fits.

    The first match in the text outside formulas; else the first formula containing a term
    (it is shown, unmarked); else the first text or formula no longer than ``length``.
    """
    if pattern is not None:
        for offset, segment in parts:
            if isinstance(segment, str) and (match := pattern.search(segment)):
                return offset + match.start(), offset + match.end()
        for offset, segment in parts:
            if (
                isinstance(segment, Formula)
                and pattern.search(segment.tex)
                and _graphemes(segment.source) <= length
            ):
                return offset, offset + len(segment.source)
    for offset, segment in parts:
        if isinstance(segment, Formula) and _graphemes(segment.source) <= length:
            return offset, offset + len(segment.source)
        if isinstance(segment, str) and segment.strip():
            start = offset + len(segment) - len(segment.lstrip())
            return start, start + 1
    return None


# Between two of these no atom is split, unless a URL runs through (a URL ends at a space).
_CJK_PAIR = regex.compile(r"[\p{Han}，。、；：？！]{2}")
_CJK_PAIR_BACKWARDS = regex.compile(_CJK_PAIR.pattern, regex.REVERSE)


def _outside_url(text, boundary):
    space = max(text.rfind(" ", 0, boundary), 0)
    return text.find("http", space, boundary + 3) == -1


def _boundary_before(text, position):
    """The nearest position at or before ``position`` where no atom of ``text`` is split."""
    space = max(text.rfind(" ", 0, position + 1), 0)
    pair = _CJK_PAIR_BACKWARDS.search(text, space, position + 1)
    if pair and _outside_url(text, pair.start() + 1):
        return pair.start() + 1
    return space


def _boundary_after(text, position):
    """The nearest position at or after ``position`` where no atom of ``text`` is split."""
    space = text.find(" ", position)
    space = len(text) if space == -1 else space
    pair = _CJK_PAIR.search(text, position - 1, space)
    if pair and _outside_url(text, pair.start() + 1):
        return pair.start() + 1
    return space


def _region(segments, offsets, low, high):
    """[(atom, size)] and their offsets for the text between ``low`` and ``high``, widened to
    whole formulas and, in text, to a space or between two Chinese characters, so that every
    atom is whole."""
    atoms, positions = [], []
    first = max(bisect.bisect_right(offsets, low) - 1, 0)
    last = min(bisect.bisect_left(offsets, high), len(segments))
    for offset, segment in zip(offsets[first:last], segments[first:last], strict=True):
        if offset + _length(segment) <= low:
            continue
        if isinstance(segment, Formula):
            atoms.append((segment, _graphemes(segment.source)))
            positions.append(offset)
            continue
        begin, end = max(low - offset, 0), min(high - offset, len(segment))
        if begin > 0:
            begin = _boundary_before(segment, begin)
        if end < len(segment):
            end = _boundary_after(segment, end)
        if chunk := text_atoms(segment[begin:end]):
            atoms += chunk
            starts = (len(atom) for atom, _ in chunk[:-1])
            positions += itertools.accumulate(starts, initial=offset + begin)
    return atoms, positions


def _window(atoms, anchor, length):
    """(begin, end) atom indexes of about ``length`` grapheme clusters around ``anchor``.

    A third of the budget goes before the match, the rest after it (and before it again near
    the end of the text). A formula straddling an edge widens the window to hold it whole: in
    front of the match if the snippet still fits in ``length``, at the end (or in front, near
    the end of the text) if it stays within 1.5 × ``length``. A longer one is left out, the
    ellipsis standing for it, so one big display formula cannot turn a snippet into a page.
    """
    first, last = anchor
    begin, end = first, last + 1
    used = sum(size for _, size in atoms[begin:end])
    budget_before = min(length // 3, length - used)
    while begin > 0 and atoms[begin - 1][1] <= budget_before:
        begin -= 1
        budget_before -= atoms[begin][1]
        used += atoms[begin][1]
    if begin > 0 and _formula_within(atoms[begin - 1], used, length):
        begin -= 1
        used += atoms[begin][1]
    while end < len(atoms) and used + atoms[end][1] <= length:
        used += atoms[end][1]
        end += 1
    while begin > 0 and used + atoms[begin - 1][1] <= length:
        begin -= 1
        used += atoms[begin][1]
    widest = length + length // 2
    if end < len(atoms) and _formula_within(atoms[end], used, widest):
        used += atoms[end][1]
        end += 1
    if begin > 0 and _formula_within(atoms[begin - 1], used, widest):
        begin -= 1
    while begin < end and _is_space(atoms[begin][0]):
        begin += 1
    while end > begin and _is_space(atoms[end - 1][0]):
        end -= 1
    return begin, end


def _formula_within(item, used, limit):
    atom, size = item
    return isinstance(atom, Formula) and used + size <= limit


def _is_space(atom):
    return isinstance(atom, str) and atom.isspace()


@dataclass(frozen=True)
class _Cut:
    parts: list  # str (text, unescaped) and Formula, in order
    cut_before: bool
    cut_after: bool


def _cut(text, pattern, length):
    """The window of ``text`` to show, made of whole atoms.

    Only the part of the text around the match is split into atoms: enough for any window
    (1.5 × ``length`` on each side), found by doubling a radius, so a long note costs no more
    than a short one. A cluster is at least one character: the first radius, a quarter more
    characters than that, is enough but for text of many combining marks. Formulas are looked
    for only up to the end of that region.
    """
    parts = _Segments(text)
    anchor = _anchor(parts, pattern, length)
    if anchor is None:
        return _Cut([], False, bool(text.strip()))
    start, stop = anchor
    reach = length + length // 2 + 1
    radius = reach + reach // 4
    while True:
        parts.read_past(stop + radius)
        atoms, positions = _region(parts.segments, parts.offsets, start - radius, stop + radius)
        first = bisect.bisect_right(positions, start) - 1
        last = bisect.bisect_right(positions, stop - 1) - 1
        more_before = positions[0] > 0
        more_after = positions[-1] + _length(atoms[-1][0]) < len(text)
        enough_before = not more_before or sum(size for _, size in atoms[:first]) > reach
        enough_after = not more_after or sum(size for _, size in atoms[last + 1 :]) > reach
        if enough_before and enough_after:
            break
        radius *= 2
    begin, end = _window(atoms, (first, last), length)
    parts = []
    for atom, _ in atoms[begin:end]:
        if isinstance(atom, str) and parts and isinstance(parts[-1], str):
            parts[-1] += atom
        else:
            parts.append(atom)
    return _Cut(parts, begin > 0 or more_before, end < len(atoms) or more_after)


def snippets(texts, words, length=None):
    """One snippet per text: the part around the first of ``words`` (or the start), about
    ``length`` (default settings.SEARCH_SNIPPET_LENGTH) grapheme clusters, terms marked and
    math typeset. All the formulas go to ``typeset`` in one call."""
    return results_html([], texts, words, length)[1]


def results_html(titles, texts, words, length=None):
    """(titles, snippets) of a page of results, with one ``typeset`` call for all formulas.

    Each title reads as its ``title_html`` does (formulas typeset inline, as
    ``rendering.render_title`` does) with ``words`` marked in the text outside formulas (marks
    never enter KaTeX's HTML); each snippet is as ``snippets`` describes.
    """
    length = length or settings.SEARCH_SNIPPET_LENGTH
    pattern = _pattern(words)
    title_parts = [split_math(" ".join((title or "").split())) for title in titles]
    cuts = [_cut(text, pattern, length) for text in texts]
    formulas = [
        dataclasses.replace(part, display=False)
        for parts in title_parts
        for part in parts
        if isinstance(part, Formula)
    ]
    formulas += [part for cut in cuts for part in cut.parts if isinstance(part, Formula)]
    typeset_formulas = iter(typeset(formulas))

    def html(parts):
        return "".join(
            next(typeset_formulas)[0] if isinstance(part, Formula) else _highlight(part, pattern)
            for part in parts
        )

    titles_html = [mark_safe(html(parts)) for parts in title_parts]
    snippets_html = []
    for cut in cuts:
        prefix = ELLIPSIS if cut.cut_before else ""
        suffix = ELLIPSIS if cut.cut_after else ""
        snippets_html.append(mark_safe(prefix + html(cut.parts) + suffix))
    return titles_html, snippets_html
