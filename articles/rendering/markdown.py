"""Markdown by markdown-it: GFM tables, footnotes, heading anchors that keep Chinese,
CJK-friendly emphasis and Pygments classes on code."""

import html
import unicodedata

import pygments
import regex
from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Delimiter
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_CJK_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u3000-\u303f\uff00-\uffef]")


def _cjk_scan_delims(state, start, can_split_word):
    """CommonMark delimiter scan, except that a CJK neighbour counts as a boundary.

    CommonMark's flanking rules reject ``**重点。**后文`` (punctuation before the closer, a
    letter after it); Chinese has no spaces, so a CJK character on either side lets the run
    open or close, as in the markdown-cjk-friendly proposal.
    """
    pos, maximum, marker = start, state.posMax, state.src[start]
    last = state.src[start - 1] if start > 0 else " "
    while pos < maximum and state.src[pos] == marker:
        pos += 1
    nxt = state.src[pos] if pos < maximum else " "
    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
    next_punct = isMdAsciiPunct(ord(nxt)) or isPunctChar(nxt)
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
    cjk = bool(_CJK_RE.match(last) or _CJK_RE.match(nxt))
    left = not next_space and (not next_punct or last_space or last_punct or cjk)
    right = not last_space and (not last_punct or next_space or next_punct or cjk)
    can_open = left and (can_split_word or not right or last_punct)
    can_close = right and (can_split_word or not left or next_punct)
    return can_open, can_close, pos - start


def _cjk_emphasis(state, silent):
    marker = state.src[state.pos]
    if silent or marker not in "_*":
        return False
    can_open, can_close, length = _cjk_scan_delims(state, state.pos, marker == "*")
    for _ in range(length):
        token = state.push("text", "", 0)
        token.content = marker
        state.delimiters.append(
            Delimiter(
                marker=ord(marker),
                length=length,
                token=len(state.tokens) - 1,
                end=-1,
                open=can_open,
                close=can_close,
            )
        )
    state.pos += length
    return True


_code_formatter = HtmlFormatter(nowrap=True)


def pygmentize(code, lang, attrs):
    """markdown-it's code hook: Pygments token classes for a known ``lang``, else ""."""
    try:
        lexer = get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes and wraps plain code itself
    body = pygments.highlight(code, lexer, _code_formatter)
    return f'<pre class="highlight"><code class="language-{html.escape(lang)}">{body}</code></pre>'


def _slugify(title):
    """Heading ids that keep Chinese: NFKC, lower case, letters/digits/CJK joined by '-'."""
    words = regex.findall(r"[\p{L}\p{N}_]+", unicodedata.normalize("NFKC", title).lower())
    return "-".join(words) or "section"


def _build_markdown():
    md = MarkdownIt("commonmark", {"html": True, "highlight": pygmentize, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.at("emphasis", _cjk_emphasis)
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=4, slug_func=_slugify)
    return md


_md = _build_markdown()


def parse(source):
    """The markdown-it tokens of ``source`` (formulas already replaced by placeholders)."""
    return _md.parse(source)


def render(source):
    """(tokens, raw HTML) for ``source``: one parse, the HTML not yet sanitised."""
    env = {}
    tokens = _md.parse(source, env)
    return tokens, _md.renderer.render(tokens, _md.options, env)
