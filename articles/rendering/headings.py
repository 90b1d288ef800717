"""Heading ids and permalinks: short, readable ids (Chinese kept, a formula reduced to its
letters and digits), unique on the page, and a visible "#" link after each heading."""

import html
import unicodedata

import regex

from articles.rendering.mathsyntax import MATH_TOKENS
from articles.rendering.titles import unicode_math

MIN_LEVEL, MAX_LEVEL = 1, 4
_MAX_ID_LENGTH = 48  # characters; longer ids are cut at a word boundary
_WORD_RE = regex.compile(r"[\p{L}\p{N}_]+")
_TEX_COMMAND_RE = regex.compile(r"\\([a-zA-Z]+)|\\.")
# Commands that read as words in an id; the others (fonts, fractions, relations) are dropped.
_TEX_WORDS = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho", "sigma",
    "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta",
    "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "log", "ln", "lg",
    "exp", "sin", "cos", "tan", "max", "min", "sup", "inf", "lim", "det", "arg", "argmax",
    "argmin", "softmax", "sum", "prod", "int", "nabla", "partial", "infty",
}  # fmt: skip


def _tex_letters(tex):
    """``\\mathcal{O}(n \\log n)`` -> ``Onlogn``: letters and digits, and the commands that
    read as words (``\\alpha``, ``\\log``); fonts, fractions and relations dropped."""

    def command(match):
        return match.group(1) if match.group(1) in _TEX_WORDS else " "

    return "".join(regex.findall(r"[A-Za-z0-9]", _TEX_COMMAND_RE.sub(command, tex)))


def heading_words(inline):
    """The text an id is made of: text and code as written, each formula's letters."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in MATH_TOKENS:
            parts.append(f" {_tex_letters(child.content)} ")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def slugify(text):
    """NFKC, lower case, letters/digits/CJK joined by '-', at most _MAX_ID_LENGTH characters."""
    words = _WORD_RE.findall(unicodedata.normalize("NFKC", text).lower())
    slug = ""
    for word in words:
        joined = f"{slug}-{word}" if slug else word
        if len(joined) > _MAX_ID_LENGTH:
            slug = slug or word[:_MAX_ID_LENGTH]
            break
        slug = joined
    return slug or "section"


def _heading_ids(state):
    """Core rule: an id on every heading of levels 1-4, unique in the document."""
    used = set()
    for i, token in enumerate(state.tokens):
        if token.type != "heading_open" or not MIN_LEVEL <= int(token.tag[1]) <= MAX_LEVEL:
            continue
        inline = state.tokens[i + 1]
        base = slugify(heading_words(inline))
        anchor, number = base, 1
        while anchor in used:
            number += 1
            anchor = f"{base}-{number}"
        used.add(anchor)
        token.attrSet("id", anchor)
        token.meta["label"] = " ".join(heading_label(inline).split())


def heading_label(inline):
    """The heading as a screen reader hears it: text and code, formulas as a title's plain
    text writes them (``O(n²)``, else the TeX)."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in MATH_TOKENS:
            parts.append(unicode_math(child.content) or child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _heading_close(self, tokens, idx, options, env):
    opening = tokens[idx - 2]
    anchor = opening.attrGet("id")
    if not anchor:
        return self.renderToken(tokens, idx, options, env)
    href = html.escape(f"#{anchor}")
    label = html.escape(f"本节链接：{opening.meta.get('label', '')}")
    return (
        f' <a class="heading-anchor" href="{href}" aria-label="{label}">#</a>'
        + self.renderToken(tokens, idx, options, env)
    )


# A permalink as it leaves the sanitiser (which adds rel): feeds and other sites go without.
_PERMALINK_RE = regex.compile(
    r' <a class="heading-anchor" href="[^"<>]*" aria-label="[^"<>]*"'
    r' rel="noopener noreferrer">#</a>'
)


def strip_permalinks(fragment):
    """Sanitised ``fragment`` without the headings' "#" permalinks (for feed HTML)."""
    return _PERMALINK_RE.sub("", fragment)


def headings_plugin(md):
    """Heading ids (after the inline pass, so formulas are tokens) and permalinks."""
    md.core.ruler.after("inline", "heading_ids", _heading_ids)
    md.add_render_rule("heading_close", _heading_close)
