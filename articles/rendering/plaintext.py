"""The note as plain text, from the one parse: markup removed, code and images dropped, link
text kept. The summary cuts it, the reading time counts it, the search index stores it."""

import html
from dataclasses import dataclass

from articles.rendering.formulas import Formula, placeholder, restore_sources
from articles.rendering.markdown import parse
from articles.rendering.mathsyntax import MATH_TOKENS
from articles.rendering.sanitising import strip_tags


@dataclass(frozen=True)
class PlainText:
    text: str  # blocks joined by single spaces, formulas as placeholders
    formulas: list  # [Formula] as the placeholders number them, whitespace collapsed

    def written(self):
        """The plain text with the formulas written out with their delimiters."""
        return restore_sources(self.text, self.formulas)


def inline_text(token):
    """The text of an inline token: text and code kept, formulas as placeholders, breaks as
    spaces, the rest dropped."""
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in MATH_TOKENS:
            out.append(placeholder(child.meta["n"]))
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


def _blocks(tokens):
    for token in tokens:
        if token.type == "inline":
            yield inline_text(token)
        elif token.type == "math_block":
            yield placeholder(token.meta["n"])
        elif token.type == "html_block":
            yield html.unescape(strip_tags(token.content))


def _collapse(text):
    return " ".join(text.split())


def _as_plain(formula):
    """``formula`` as plain text shows it: whitespace runs collapsed, in its TeX too."""
    source = _collapse(formula.source)
    if source == formula.source:
        return formula
    delimiter = (len(formula.source) - len(formula.tex)) // 2  # $, $$, \( \), \[ \] or none
    return Formula(source, source[delimiter : len(source) - delimiter], formula.display)


def plain_text(tokens, formulas):
    """The PlainText of parsed ``tokens`` whose formulas the parse numbered ``formulas``."""
    return PlainText(_collapse(" ".join(_blocks(tokens))), [_as_plain(f) for f in formulas])


def markdown_plain_text(text):
    """The whole of a Markdown ``text`` as plain text, uncut (formulas as written), for a note
    that is not being rendered (the search index's rebuild)."""
    return plain_text(*parse(text or "")).written()
