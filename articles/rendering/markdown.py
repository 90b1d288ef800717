"""Markdown by markdown-it: math (``mathsyntax``), GFM tables, footnotes, heading ids and
permalinks (``headings``), bare URLs as links, CJK-friendly emphasis, Pygments classes."""

import html

import pygments
import regex
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Delimiter
from mdit_py_plugins.footnote import footnote_plugin
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from articles.rendering.headings import headings_plugin
from articles.rendering.images import images_plugin
from articles.rendering.mathsyntax import MATH_TOKENS, math_match, math_plugin
from articles.rendering.sourcemap import source_lines_plugin

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


# CJK punctuation and full-width forms end a bare URL: "见 https://a.org/x。" links only the
# URL; so does a formula's opening delimiter.
_URL_STOP_RE = regex.compile(r"[\u3000-\u303f\uff00-\uffef]|(?=[$\\])")


class _Linkify(LinkifyIt):
    """linkify-it for bare http(s) URLs only (no fuzzy "train.py" links), cut before CJK
    punctuation and formulas."""

    def __init__(self):
        super().__init__(options={"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
        self.add("ftp:", None).add("//", None).add("mailto:", None)

    @staticmethod
    def _trim(link, text):
        stop = next(
            (
                stop
                for stop in _URL_STOP_RE.finditer(link.raw)
                if stop.group() or math_match(text, link.index + stop.start())
            ),
            None,
        )
        if stop is not None:
            cut = len(link.raw) - stop.start()
            link.raw, link.text, link.url = link.raw[:-cut], link.text[:-cut], link.url[:-cut]
            link.last_index -= cut
        return link if link.raw.partition("://")[2] else None  # nothing left but a scheme

    # Every link found here has "://" (no fuzzy links, http(s) only), so a text without it is
    # answered before linkify-it's large regexes: they ran on every inline token and text
    # token, about a third of linkify's cost (bench/README.md). The links found are the same.
    def pretest(self, text):
        return "://" in text and super().pretest(text)

    def test(self, text):
        return "://" in text and super().test(text)

    def match(self, text):
        links = (self._trim(link, text) for link in super().match(text) or [])
        return [link for link in links if link] or None

    def match_at_start(self, text):
        link = super().match_at_start(text)
        return self._trim(link, text) if link else None


def _alt_text(tokens):
    out = []
    for token in tokens or []:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in MATH_TOKENS:
            out.append(token.meta["formula"].source)
        elif token.type == "image":
            out.append(_alt_text(token.children))
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


def _image(self, tokens, idx, options, env):
    """An image whose alt text keeps its formulas as written (markdown-it would drop them)."""
    token = tokens[idx]
    token.attrSet("alt", _alt_text(token.children))
    return self.renderToken(tokens, idx, options, env)


def _build_markdown():
    md = MarkdownIt("commonmark", {"html": True, "highlight": pygmentize, "linkify": True})
    md.linkify = _Linkify()
    md.enable(["table", "strikethrough", "linkify"])
    md.inline.ruler.at("emphasis", _cjk_emphasis)
    md.use(math_plugin)
    md.use(footnote_plugin)
    md.use(headings_plugin)
    md.use(images_plugin)
    md.add_render_rule("image", _image)
    return md


_md = _build_markdown()
# The editor's preview parser: the same rules, plus source lines on blocks (never in stored
# HTML; articles.rendering.sourcemap).
_preview_md = _build_markdown()
_preview_md.use(source_lines_plugin)


def parse(source):
    """(tokens, [Formula]) of Markdown ``source``: the formulas numbered as the tokens say."""
    env = {}
    tokens = _md.parse(source, env)
    return tokens, env.get("formulas", [])


def render(source, images=None, source_lines=False):
    """(tokens, raw HTML, [Formula]) for ``source``: one parse, the HTML not yet sanitised
    (formulas as placeholders). ``images``: the image facts lookup (``images`` step);
    ``source_lines``: the editor's line markers (``sourcemap``)."""
    md = _preview_md if source_lines else _md
    env = {"images": images}
    tokens = md.parse(source, env)
    return tokens, md.renderer.render(tokens, md.options, env), env.get("formulas", [])
