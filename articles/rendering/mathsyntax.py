"""Math as Markdown syntax: markdown-it rules for the five delimiter forms.

The parser decides what is code, HTML, a link or math: an inline rule (before escapes, so
``\\(`` is not read as an escaped parenthesis) and a block rule for a display formula that
starts a block (so a line inside it starting with ``-`` or ``#`` is no list or heading). Both
use ``MATH_RE``, the one definition of the delimiters, on the text the parser hands them, so
``token.content`` is the TeX byte for byte. After the inline pass every math token is numbered
and its Formula collected in ``env["formulas"]``; the renderer writes the formula's placeholder,
which ``typesetting.insert_math`` replaces after sanitising.

GFM tables split rows on ``|`` before inline parsing: the table rule is wrapped so that pipes
inside a formula (``$|x|$``) are masked while it splits.
"""

import dataclasses
import re

from articles.rendering.formulas import MATH_RE, formula_of, placeholder

_MATH_GROUPS = ("dd", "bd", "env", "bi", "di", "d1")
_BLOCK_OPENER_RE = re.compile(r"\$\$|\\\[|\\begin\{([a-zA-Z]+\*?)\}")
# A noncharacter standing in for "|" inside formulas while the table rule splits a row.
_PIPE_MASK = "\ufdd0"
_DELIMITER_ROW_RE = re.compile(r"\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
MATH_TOKENS = ("math_inline", "math_block")


def math_match(text, pos, end=None):
    """The MATH_RE match of a formula starting at ``pos``, else None."""
    match = MATH_RE.match(text, pos, len(text) if end is None else end)
    if match and any(match.group(name) is not None for name in _MATH_GROUPS):
        return match
    return None


def _inline_math(state, silent):
    if state.src[state.pos] not in "$\\":
        return False
    match = math_match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.meta = {"formula": formula_of(match)}
        token.content = token.meta["formula"].tex
    state.pos = match.end()
    return True


def _closer(opener):
    if opener.group(1):
        return f"\\end{{{opener.group(1)}}}"
    return "$$" if opener.group(0) == "$$" else "\\]"


def _block_math(state, start_line, end_line, silent):
    """A display formula that starts a block and whose closing delimiter ends a line."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    opener = _BLOCK_OPENER_RE.match(state.src, begin, state.eMarks[start_line])
    if opener is None:
        return False
    closer, lines, line = _closer(opener), [], start_line
    while line < end_line:  # to the first line holding the closer (closers are one-line)
        if line > start_line and state.sCount[line] < state.blkIndent and not state.isEmpty(line):
            return False  # the container ended first
        piece = state.getLines(line, line + 1, state.blkIndent, True)
        if line == start_line:
            piece = piece.lstrip(" \t")
            found = piece.find(closer, len(opener.group(0))) != -1
        else:
            found = closer in piece
        lines.append(piece)
        line += 1
        if found:
            break
    else:
        return False
    text = "".join(lines)
    match = math_match(text, 0)
    if match is None or text[match.end() :].strip():
        return False  # not a formula, or text follows it: the paragraph's inline rule decides
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.meta = {"formula": formula_of(match)}
    token.content = token.meta["formula"].tex
    token.map = [start_line, line]
    token.block = True
    state.line = line
    return True


def _mask_pipes(line):
    """``line`` with each "|" inside a formula replaced by the mask (same length)."""
    out, pos = [], 0
    while match := MATH_RE.search(line, pos):
        end = match.end()
        if match.group("code"):  # a code span: skip to its closing backticks
            close = re.compile(r"(?<!`)" + match.group("code") + r"(?!`)").search(line, end)
            end = close.end() if close else end
            out.append(line[pos:end])
        elif match.group("escaped"):
            out.append(line[pos:end])
        else:
            out.append(line[pos : match.start()] + match.group(0).replace("|", _PIPE_MASK))
        pos = end
    out.append(line[pos:])
    return "".join(out)


def _table_keeping_math(table_rule):
    def rule(state, start_line, end_line, silent):
        src = state.src
        if start_line + 1 >= end_line or _PIPE_MASK in src:
            return table_rule(state, start_line, end_line, silent)
        second = src[state.bMarks[start_line + 1] : state.eMarks[start_line + 1]]
        if not _DELIMITER_ROW_RE.match(second.lstrip(" >")):
            return False  # no delimiter row, no table (the wrapped rule would say the same)
        begin = state.bMarks[start_line]
        blank = src.find("\n\n", begin)
        end = len(src) if blank == -1 else blank
        state.src = src[:begin] + "\n".join(map(_mask_pipes, src[begin:end].split("\n")))
        state.src += src[end:]
        try:
            return table_rule(state, start_line, end_line, silent)
        finally:
            state.src = src

    return rule


def _unmask(token):
    if _PIPE_MASK in token.content:
        token.content = token.content.replace(_PIPE_MASK, "|")
        formula = (token.meta or {}).get("formula")
        if formula is not None:
            token.meta["formula"] = dataclasses.replace(
                formula,
                source=formula.source.replace(_PIPE_MASK, "|"),
                tex=formula.tex.replace(_PIPE_MASK, "|"),
            )


def _walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _number_formulas(state):
    formulas = state.env.setdefault("formulas", [])
    for token in _walk(state.tokens):
        _unmask(token)
        if token.type in MATH_TOKENS:
            token.meta["n"] = len(formulas)
            formulas.append(token.meta["formula"])


def _render_inline(self, tokens, idx, options, env):
    return placeholder(tokens[idx].meta["n"])


def _render_block(self, tokens, idx, options, env):
    return f"<p>{placeholder(tokens[idx].meta['n'])}</p>\n"


def math_plugin(md):
    """Install the math rules on a MarkdownIt instance."""
    md.inline.ruler.before("escape", "math_inline", _inline_math)
    alt = ["paragraph", "reference", "blockquote", "list"]
    md.block.ruler.before("fence", "math_block", _block_math, {"alt": alt})
    table = next(rule for rule in md.block.ruler.__rules__ if rule.name == "table")
    md.block.ruler.at("table", _table_keeping_math(table.fn), {"alt": list(table.alt)})
    md.core.ruler.push("number_formulas", _number_formulas)
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_block", _render_block)
