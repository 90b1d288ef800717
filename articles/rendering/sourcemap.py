"""Source lines in the preview (never in stored HTML): the editor's scroll sync and its
KaTeX error markers read them.

The preview's parser has ``source_lines_plugin``: every opening block token that markdown-it
maps to source lines carries a marker class with its first line (1-based). Classes survive the
sanitiser's allowlist; after sanitising, ``data_attributes`` turns each marker into
``data-source-line="N"``. The marker's tag is random per process, so text in a note cannot
forge one. ``formula_lines`` gives the line each formula starts on, for the broken ones'
``data-source-line`` (``typesetting.insert_math``). ``strip_source_map`` removes both again:
what is left is the stored page's HTML for the same text, byte for byte.
"""

import re
import secrets

from articles.rendering.mathsyntax import MATH_TOKENS

_MARKER = "srcline" + secrets.token_hex(4) + "n"
_CLASS_RE = re.compile(r'class="([^"]*\b' + _MARKER + r'\d+\b[^"]*)"')
_MARKER_RE = re.compile(r"\b" + _MARKER + r"(\d+)\b")
# What data_attributes and insert_math(error_lines=...) add, and nothing else.
_PREVIEW_ATTRS_RE = re.compile(r' data-(?:source-line|katex-error)="[^"]*"')


def _mark_blocks(state):
    for token in state.tokens:
        if token.nesting == 1 and token.map and not token.hidden:
            token.attrJoin("class", f"{_MARKER}{token.map[0] + 1}")


_FIRST_TAG_RE = re.compile(r'<(\w+)((?:\s+[\w-]+(?:="[^"]*")?)*?)(?:\s+class="([^"]*)")?(\s|/?>)')


def _mark_first_tag(fragment, line):
    """``fragment`` with a line marker in its first tag's class (added if it has none)."""
    match = _FIRST_TAG_RE.match(fragment)
    if match is None:
        return fragment
    tag, before, classes, after = match.groups()
    marked = f"{classes} {_MARKER}{line}" if classes else f"{_MARKER}{line}"
    return f'<{tag}{before} class="{marked}"{after}{fragment[match.end() :]}'


def _marked(original):
    def rule(self, tokens, idx, options, env):
        out = original(tokens, idx, options, env)
        token = tokens[idx]
        return _mark_first_tag(out, token.map[0] + 1) if token.map else out

    return rule


def source_lines_plugin(md):
    """Mark block tokens with their first source line (a core rule, after the parse); code
    blocks and display formulas, whose renderers write their own tags, in their first tag."""
    md.core.ruler.push("source_lines", _mark_blocks)
    for name in ("fence", "code_block", "math_block"):
        md.add_render_rule(name, _marked(md.renderer.rules[name]))


def _attributes(match):
    classes = match.group(1).split()
    line = next(m.group(1) for c in classes if (m := _MARKER_RE.fullmatch(c)))
    rest = " ".join(c for c in classes if not _MARKER_RE.fullmatch(c))
    kept = f'class="{rest}" ' if rest else ""
    return f'{kept}data-source-line="{line}"'


def data_attributes(fragment):
    """The sanitised preview ``fragment`` with its line markers as ``data-source-line``."""
    return _CLASS_RE.sub(_attributes, fragment)


def _walk(tokens, line):
    for token in tokens:
        if token.map:
            line = token.map[0]
        yield token, line
        if token.children:
            yield from _walk(token.children, line)


def formula_lines(tokens, source):
    """{formula number: the 1-based line its source starts on} for the parsed ``tokens``."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for text in lines:
        starts.append(starts[-1] + len(text))
    found = {}
    cursor = 0
    for token, line in _walk(tokens, 0):
        if token.type not in MATH_TOKENS:
            continue
        begin = max(cursor, starts[min(line, len(lines))])
        index = source.find(token.meta["formula"].source, begin)
        if index < 0:  # not verbatim (a table's masked pipes, a blockquote's ">"): the block
            found[token.meta["n"]] = line + 1
            continue
        cursor = index + 1
        found[token.meta["n"]] = source.count("\n", 0, index) + 1
    return found


def strip_source_map(fragment):
    """A preview without what only the preview carries: the stored page's HTML."""
    return _PREVIEW_ATTRS_RE.sub("", fragment)
