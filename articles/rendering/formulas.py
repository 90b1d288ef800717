"""The five delimiter forms (one pattern) and formulas in plain text.

The body's formulas are found by the Markdown parser (``mathsyntax``, with ``MATH_RE``); the
functions here scan text that is not Markdown: hand-written summaries, search snippets and
importers' sources.
"""

import re
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Formula:
    source: str  # exactly as written, delimiters included
    tex: str  # the text between the delimiters, byte for byte
    display: bool


# A per-process random tag: authors cannot forge a placeholder.
PLACEHOLDER_TAG = "mathph" + secrets.token_hex(4)
PLACEHOLDER_RE = re.compile(PLACEHOLDER_TAG + r"x(\d+)x")

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
MATH_RE = re.compile(
    r"""
      (?P<escaped>\\[\\$])                                          # \$ or \\ : literal
    | (?P<code>`+)                                                  # code span opener
    | \$\$(?P<dd>.+?)\$\$                                           # $$ display $$
    | \\\[(?P<bd>.+?)\\\]                                           # \[ display \]
    | (?P<env>\\begin\{(?P<envname>[a-zA-Z]+\*?)\}.+?\\end\{(?P=envname)\})
    | \\\((?P<bi>.+?)\\\)                                           # \( inline \)
    | \$(?P<di>[^\s$](?:[^$`\n]|\\\$)*?(?<![\s\\]))\$(?!\d)         # $inline$, not $5 and $10
    | \$(?P<d1>[^\s$\\])\$(?!\d)                                    # $x$
    """,
    re.VERBOSE | re.DOTALL,
)


_DISPLAY_GROUPS = {"dd", "bd", "env"}


def extract_math(text):
    """Replace formulas outside code with placeholders; return (text, [Formula])."""
    formulas = []
    out = []
    in_fence = None
    chunk = []

    def flush():
        if chunk:
            out.append(_extract_from_prose("".join(chunk), formulas))
            chunk.clear()

    for line in text.splitlines(keepends=True):
        fence = _FENCE_RE.match(line)
        if in_fence:
            out.append(line)
            if fence and fence.group(1)[0] == in_fence[0] and len(fence.group(1)) >= len(in_fence):
                in_fence = None
        elif fence:
            flush()
            in_fence = fence.group(1)
            out.append(line)
        else:
            chunk.append(line)
    flush()
    return "".join(out), formulas


def _extract_from_prose(text, formulas):
    out = []
    pos = 0
    while True:
        match = MATH_RE.search(text, pos)
        if not match:
            out.append(text[pos:])
            break
        out.append(text[pos : match.start()])
        kind = match.lastgroup
        if kind == "escaped":
            out.append(match.group(0))
            pos = match.end()
            continue
        if kind == "code":
            ticks = match.group("code")
            close = re.compile(r"(?<!`)" + ticks + r"(?!`)").search(text, match.end())
            end = close.end() if close else match.end()
            out.append(text[match.start() : end])
            pos = end
            continue
        out.append(placeholder(len(formulas)))
        formulas.append(formula_of(match))
        pos = match.end()
    return "".join(out)


def formula_of(match):
    """The Formula of a MATH_RE match of one of the math groups (not an escape or code)."""
    # The one alternative that matched: its group closes last (``envname`` is inside ``env``).
    group = match.lastgroup
    return Formula(source=match.group(0), tex=match.group(group), display=group in _DISPLAY_GROUPS)


def placeholder(number):
    """The placeholder of formula ``number``: letters and digits only, safe in any HTML."""
    return f"{PLACEHOLDER_TAG}x{number}x"


def restore_sources(text, formulas):
    """``text`` with each placeholder replaced by its formula's source."""
    return PLACEHOLDER_RE.sub(lambda m: formulas[int(m.group(1))].source, text)


def split_math(plain_text):
    """``plain_text`` (formulas written with delimiters) as [text, Formula, text, ..., text]:
    the texts between the formulas (maybe empty) and the formulas, in order."""
    text, formulas = extract_math(plain_text)
    parts = PLACEHOLDER_RE.split(text)
    return [formulas[int(part)] if i % 2 else part for i, part in enumerate(parts)]


def iter_split_math(plain_text):
    """``split_math(plain_text)``, part by part: the text is scanned only as far as it is read."""
    if "```" in plain_text or "~~~" in plain_text:
        # Maybe a fenced block (no formulas in it): as extract_math sees it.
        yield from split_math(plain_text)
        return
    # No fence: the text is one run of prose, as in _extract_from_prose.
    pos = text_start = 0
    while match := MATH_RE.search(plain_text, pos):
        kind = match.lastgroup
        if kind == "escaped":
            pos = match.end()
        elif kind == "code":
            ticks = match.group("code")
            close = re.compile(r"(?<!`)" + ticks + r"(?!`)").search(plain_text, match.end())
            pos = close.end() if close else match.end()
        else:
            yield plain_text[text_start : match.start()]
            yield formula_of(match)
            pos = text_start = match.end()
    yield plain_text[text_start:]
