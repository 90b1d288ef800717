"""The one rendering module: Markdown + LaTeX -> sanitised HTML, feed HTML, TOC and summaries.

Everything that needs HTML or a summary calls this module: Article.save(), the markdownx
preview, the stream and the feeds. Rendering happens at save time (and in the preview),
never per request.

Pipeline (a placeholder pass, see docs/STACK.md):
1. ``extract_math`` pulls every formula out of the source (outside code) and leaves an
   alphanumeric placeholder, so Markdown never sees LaTeX.
2. markdown-it renders the Markdown (GFM tables, footnotes, heading anchors, Pygments).
3. nh3 sanitises the HTML with an explicit allowlist.
4. The formulas, typeset by KaTeX (server side, mini-racer), replace the placeholders:
   HTML+MathML for the page, MathML only for feeds. Math is inserted after sanitising and
   only from KaTeX (``trust: false``).
"""

import hashlib
import html
import json
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import nh3
import regex
from django.conf import settings
from django.core.cache import cache
from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Delimiter
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound


@dataclass(frozen=True)
class RenderedArticle:
    body_html: str  # page HTML (sanitised; math typeset for browsers)
    body_feed_html: str  # feed HTML (math as MathML, for readers without JavaScript)
    toc_html: str  # table of contents, "" when the note has too few headings
    summary_text: str  # plain text, formulas kept whole as LaTeX with delimiters
    summary_html: str  # escaped summary text with typeset math
    summary_feed_html: str  # escaped summary text with MathML
    reading_minutes: int


# --------------------------------------------------------------------------- math extraction


@dataclass(frozen=True)
class Formula:
    source: str  # exactly as written, delimiters included
    tex: str  # the text between the delimiters, byte for byte
    display: bool


# A per-process random tag: authors cannot forge a placeholder.
_PLACEHOLDER_TAG = "mathph" + secrets.token_hex(4)
_PLACEHOLDER_RE = re.compile(_PLACEHOLDER_TAG + r"x(\d+)x")

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MATH_RE = re.compile(
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


_MATH_GROUPS = ("dd", "bd", "env", "bi", "di", "d1")
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
        match = _MATH_RE.search(text, pos)
        if not match:
            out.append(text[pos:])
            break
        out.append(text[pos : match.start()])
        if match.group("escaped"):
            out.append(match.group(0))
            pos = match.end()
            continue
        if match.group("code"):
            ticks = match.group("code")
            close = re.compile(r"(?<!`)" + ticks + r"(?!`)").search(text, match.end())
            end = close.end() if close else match.end()
            out.append(text[match.start() : end])
            pos = end
            continue
        source = match.group(0)
        group = next(name for name in _MATH_GROUPS if match.group(name) is not None)
        tex, display = match.group(group), group in _DISPLAY_GROUPS
        out.append(f"{_PLACEHOLDER_TAG}x{len(formulas)}x")
        formulas.append(Formula(source=source, tex=tex, display=display))
        pos = match.end()
    return "".join(out)


# --------------------------------------------------------------------------- KaTeX bridge

_KATEX_DIR = Path(settings.BASE_DIR) / "node_modules" / "katex" / "dist"
_KATEX_JS = r"""
function renderAll(items) {
  return JSON.stringify(JSON.parse(items).map(function (item) {
    var opts = {displayMode: item.display, throwOnError: true, trust: false, strict: "ignore",
                maxExpand: 1000, maxSize: 50};
    try {
      return [katex.renderToString(item.tex, Object.assign({output: "htmlAndMathml"}, opts)),
              katex.renderToString(item.tex, Object.assign({output: "mathml"}, opts)), null];
    } catch (e) {
      return [null, null, String(e.message || e)];
    }
  }));
}
"""


class KatexRenderer:
    """KaTeX in an embedded V8 (mini-racer). One context, guarded by a lock (not thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._ctx = None
        self.version = ""

    def _context(self):
        if self._ctx is None:
            from py_mini_racer import MiniRacer

            ctx = MiniRacer()
            ctx.eval("var self = globalThis;")
            ctx.eval((_KATEX_DIR / "katex.min.js").read_text(encoding="utf-8"))
            ctx.eval(_KATEX_JS)
            self.version = ctx.eval("katex.version")
            self._ctx = ctx
        return self._ctx

    def ensure_loaded(self):
        """Start the engine (and learn the KaTeX version used in cache keys)."""
        with self._lock:
            self._context()

    def render_many(self, items):
        """[(tex, display)] -> [(page_html, mathml, error)], one JS call for the whole batch."""
        if not items:
            return []
        payload = json.dumps([{"tex": tex, "display": display} for tex, display in items])
        with self._lock:
            result = self._context().call("renderAll", payload)
        return [tuple(row) for row in json.loads(result)]


katex = KatexRenderer()


def _cache_key(tex, display):
    digest = hashlib.sha256(f"{katex.version}|{int(display)}|{tex}".encode()).hexdigest()
    return f"render:katex:{digest}"


def typeset(formulas):
    """Typeset formulas -> [(page_html, feed_mathml)], using the cache for unchanged ones."""
    if not formulas:
        return []
    katex.ensure_loaded()
    keys = [_cache_key(f.tex, f.display) for f in formulas]
    cached = cache.get_many(list(set(keys)))
    missing = {key: f for key, f in zip(keys, formulas, strict=True) if key not in cached}
    if missing:
        results = katex.render_many([(f.tex, f.display) for f in missing.values()])
        fresh = {}
        for (key, formula), (page, feed, error) in zip(missing.items(), results, strict=True):
            fresh[key] = _wrap(formula, page, feed, error)
        cache.set_many(fresh, timeout=None)
        cached.update(fresh)
    return [cached[key] for key in keys]


def _wrap(formula, page, feed, error):
    kind = "display" if formula.display else "inline"
    if error:
        source = html.escape(formula.source)
        message = html.escape(error)
        broken = (
            f'<span class="math math-{kind} math-error" title="{message}">'
            f'<span aria-hidden="true">⚠</span> <code>{source}</code></span>'
        )
        return broken, broken
    return (
        f'<span class="math math-{kind}">{page}</span>',
        f'<span class="math math-{kind}">{feed}</span>',
    )


def _insert_math(fragment, typeset_formulas, formulas, index):
    """Replace placeholders: typeset math in text, escaped source inside tags/attributes."""
    if not formulas:
        return fragment

    def text_sub(match):
        return typeset_formulas[int(match.group(1))][index]

    def attr_sub(match):
        return html.escape(formulas[int(match.group(1))].source)

    parts = re.split(r"(<[^>]*>)", fragment)
    for i, part in enumerate(parts):
        sub = attr_sub if i % 2 else text_sub
        parts[i] = _PLACEHOLDER_RE.sub(sub, part)
    return "".join(parts)


# --------------------------------------------------------------------------- Markdown

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


def _highlight(code, lang, attrs):
    try:
        lexer = get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes and wraps plain code itself
    body = pygments_highlight(code, lexer, _code_formatter)
    return f'<pre class="highlight"><code class="language-{html.escape(lang)}">{body}</code></pre>'


def _slugify(title):
    """Heading ids that keep Chinese: NFKC, lower case, letters/digits/CJK joined by '-'."""
    words = regex.findall(r"[\p{L}\p{N}_]+", unicodedata.normalize("NFKC", title).lower())
    return "-".join(words) or "section"


def _build_markdown():
    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.at("emphasis", _cjk_emphasis)
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=4, slug_func=_slugify)
    return md


_md = _build_markdown()

# --------------------------------------------------------------------------- sanitising

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd",
    "li", "mark", "ol", "p", "pre", "s", "section", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(fragment):
    """nh3 with the explicit allowlist above: no script, handler, style, form or bad URL."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# --------------------------------------------------------------------------- TOC


def build_toc(tokens, min_headings=3):
    """A nested <ul> of links to the heading anchors; "" when there are too few headings."""
    headings = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.attrGet("id"):
            title = _plain_inline(tokens[i + 1])
            headings.append((int(token.tag[1]), str(token.attrGet("id")), title))
    if len(headings) < min_headings:
        return ""
    base = min(level for level, _, _ in headings)
    parts, depth = [], -1
    for level, anchor, title in headings:
        level = min(level - base, depth + 1)
        if level == depth + 1:
            parts.append("<ul>")
        else:
            parts.append("</li>" + "</ul></li>" * (depth - level))
        parts.append(f'<li><a href="#{html.escape(anchor)}">{html.escape(title)}</a>')
        depth = level
    parts.append("</li>" + "</ul></li>" * depth + "</ul>")
    return "".join(parts)


def _plain_inline(token):
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


# --------------------------------------------------------------------------- summaries

_BLOCK_SKIP = {"fence", "code_block", "hr"}
_SENTENCE_END = "。！？.!?"
_ELLIPSIS = "..."


def _plain_blocks(tokens):
    """Plain text of each block: markup removed, code and images dropped, link text kept."""
    blocks = []
    for token in tokens:
        if token.type == "inline":
            text = []
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    text.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    text.append(" ")
            blocks.append("".join(text))
        elif token.type == "html_block":
            stripped = nh3.clean(token.content, tags=set())
            blocks.append(html.unescape(stripped))
    return blocks


def _restore_sources(text, formulas):
    return _PLACEHOLDER_RE.sub(lambda m: formulas[int(m.group(1))].source, text)


_ATOM_RE = regex.compile(
    r"(?P<ph>"
    + _PLACEHOLDER_TAG
    + r"x(?P<n>\d+)x)|(?P<url>https?://\S+)|(?P<word>(?:(?!"
    + _PLACEHOLDER_TAG
    + r")(?=[A-Za-z0-9_'’-])\X)+)|\X",  # a word is whole grapheme clusters: e + U+0301
    regex.VERSION1,
)


def split_math(plain_text):
    """``plain_text`` (formulas written with delimiters) as [text, Formula, text, ..., text]:
    the texts between the formulas (maybe empty) and the formulas, in order."""
    text, formulas = extract_math(plain_text)
    parts = _PLACEHOLDER_RE.split(text)
    return [formulas[int(part)] if i % 2 else part for i, part in enumerate(parts)]


def text_atoms(text):
    """[(atom, size)] for a ``text`` without formulas: the URLs, English words and grapheme
    clusters that a cutter keeps whole (as ``truncate`` does), sizes in grapheme clusters."""
    atoms = [match.group(0) for match in _ATOM_RE.finditer(text)]
    return [(atom, 1 if len(atom) == 1 else len(regex.findall(r"\X", atom))) for atom in atoms]


def truncate(text, formulas, length):
    """Cut ``text`` (formulas as placeholders) to ``length`` grapheme clusters plus "...".

    Cuts only between atoms (a formula, a URL, an English word or one grapheme cluster) and
    prefers a sentence end in the last fifth of the budget.
    """
    atoms = []
    for match in _ATOM_RE.finditer(text):
        if match.group("ph"):
            size = len(regex.findall(r"\X", formulas[int(match.group("n"))].source))
        else:
            # A URL may have swallowed a formula: count it as written.
            size = len(regex.findall(r"\X", _restore_sources(match.group(0), formulas)))
        atoms.append((match.group(0), size))
    total = sum(size for _, size in atoms)
    if total <= length:
        return text, False
    kept, used, best_sentence = [], 0, None
    for atom, size in atoms:
        if used + size > length:
            break
        kept.append(atom)
        used += size
        if atom in _SENTENCE_END and used >= length * 0.8:
            best_sentence = len(kept)
    if best_sentence:
        kept = kept[:best_sentence]
    return "".join(kept).rstrip(), True


def shorten(plain_text, length=None):
    """The summary formatter for plain text (formulas written with their delimiters).

    Whitespace runs become single spaces; text longer than ``length`` (default
    settings.SUMMARY_LENGTH) grapheme clusters is cut by ``truncate`` and ends with "...".
    Idempotent: its own output comes back unchanged.
    """
    length = settings.SUMMARY_LENGTH if length is None else length
    text, formulas = extract_math(" ".join(plain_text.split()))
    if text.endswith(_ELLIPSIS) and not truncate(text.removesuffix(_ELLIPSIS), formulas, length)[1]:
        return _restore_sources(text, formulas)
    cut, truncated = truncate(text, formulas, length)
    return _restore_sources(cut + _ELLIPSIS if truncated else cut, formulas)


def plain_text(tokens, formulas):
    """The note as plain text: blocks joined by single spaces, formulas as written."""
    return " ".join(_restore_sources(" ".join(_plain_blocks(tokens)), formulas).split())


def summarize(text, length=None):
    """Plain-text summary of a Markdown ``text`` (formulas kept whole with their delimiters)."""
    source, formulas = extract_math(text or "")
    return shorten(plain_text(_md.parse(source), formulas), length)


def markdown_plain_text(text):
    """The whole of a Markdown ``text`` as plain text, uncut (formulas as written): what
    ``summarize`` starts from, for the search index."""
    source, formulas = extract_math(text or "")
    return plain_text(_md.parse(source), formulas)


def summary_fragments(summary_text):
    """(page HTML, feed HTML) for a plain summary: escaped text with typeset math."""
    escaped_ph, formulas = extract_math(summary_text)
    escaped = html.escape(escaped_ph, quote=False)
    typeset_formulas = typeset(formulas)
    return (
        _insert_math(escaped, typeset_formulas, formulas, 0),
        _insert_math(escaped, typeset_formulas, formulas, 1),
    )


# --------------------------------------------------------------------------- reading time

_HAN_RE = regex.compile(r"\p{Han}")
_WORD_RE = regex.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def reading_minutes(plain_text):
    """Chinese at ~400 characters a minute plus English at ~200 words a minute; at least 1."""
    han = len(_HAN_RE.findall(plain_text))
    words = len(_WORD_RE.findall(plain_text))
    return max(1, round(han / 400 + words / 200))


# --------------------------------------------------------------------------- entry points


def _render_body(text):
    source, formulas = extract_math(text or "")
    env = {}
    tokens = _md.parse(source, env)
    raw = _md.renderer.render(tokens, _md.options, env)
    clean = sanitise(raw)
    typeset_formulas = typeset(formulas)
    return tokens, formulas, clean, typeset_formulas


def render_article(body, summary=""):
    tokens, formulas, clean, typeset_formulas = _render_body(body)
    body_html = _insert_math(clean, typeset_formulas, formulas, 0)
    body_feed_html = _insert_math(clean, typeset_formulas, formulas, 1)
    plain = plain_text(tokens, formulas)
    # A hand-written summary is the author's text: whitespace normalised, never cut.
    summary_text = " ".join(summary.split()) if summary and summary.strip() else shorten(plain)
    summary_html, summary_feed_html = summary_fragments(summary_text)
    return RenderedArticle(
        body_html=body_html,
        body_feed_html=body_feed_html,
        toc_html=build_toc(tokens),
        summary_text=summary_text,
        summary_html=summary_html,
        summary_feed_html=summary_feed_html,
        reading_minutes=reading_minutes(plain),
    )


def render_preview(text):
    """MARKDOWNX_MARKDOWNIFY_FUNCTION: exactly the stored page body HTML for the same text."""
    _, formulas, clean, typeset_formulas = _render_body(text)
    return _insert_math(clean, typeset_formulas, formulas, 0)
