"""Titles with formulas: typeset HTML (cards, the note's <h1>, search results) and readable plain
text where HTML cannot go (<title>, Open Graph, feeds, slugs).

A title is plain text, not Markdown: its formulas are found by ``formulas.extract_math`` and
always typeset inline. The plain text writes a formula in Unicode when that is exact (``O(n²)``,
``α_t`` stays TeX), otherwise as its TeX without delimiters.
"""

import dataclasses
import html

import regex

from articles.rendering.formulas import PLACEHOLDER_RE, extract_math
from articles.rendering.typesetting import PAGE, insert_math, typeset

_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "cdot": "·", "times": "×", "pm": "±", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "infty": "∞", "in": "∈", "sum": "∑", "prod": "∏", "partial": "∂",
    "nabla": "∇", "ldots": "…", "cdots": "⋯", "mid": "∣",
    "log": "log", "ln": "ln", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan",
    "max": "max", "min": "min", "lim": "lim", "det": "det",
}  # fmt: skip
# Font commands whose argument reads the same as plain text: \mathcal{O} -> O.
_FONT_RE = regex.compile(r"\\(?:math(?:cal|rm|bf|it|sf|tt|bb)|boldsymbol|bm|text(?:rm)?)\{(\w+)\}")
_COMMAND_RE = regex.compile(r"\\([a-zA-Z]+)")
_SCRIPT_RE = regex.compile(r"([\^_])(?:\{([^{}]*)\}|(\w))")
_SUPERSCRIPTS = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", strict=True))
_SUBSCRIPTS = dict(zip("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", strict=True))


def unicode_math(tex):
    """``tex`` in Unicode when that is exact (``\\mathcal{O}(n^2)`` -> ``O(n²)``), else None."""
    text = _FONT_RE.sub(r"\1", tex)
    unknown = []

    def command(match):
        symbol = _SYMBOLS.get(match.group(1))
        if symbol is None:
            unknown.append(match.group(1))
            return match.group(0)
        return symbol

    text = _COMMAND_RE.sub(command, text)

    def script(match):
        table = _SUPERSCRIPTS if match.group(1) == "^" else _SUBSCRIPTS
        body = match.group(2) if match.group(2) is not None else match.group(3)
        if not body or any(char not in table for char in body):
            unknown.append(body)
            return match.group(0)
        return "".join(table[char] for char in body)

    text = _SCRIPT_RE.sub(script, text)
    if unknown or regex.search(r"[\\{}^_&]", text):
        return None
    return " ".join(text.split())


@dataclasses.dataclass(frozen=True)
class RenderedTitle:
    html: str  # escaped text, formulas typeset (KaTeX HTML+MathML)
    text: str  # plain text: formulas in Unicode when exact, else their TeX


def _plain(text, formulas):
    # A broken formula reads as its TeX too.
    def formula(match):
        tex = formulas[int(match.group(1))].tex
        return unicode_math(tex) or " ".join(tex.split())

    return PLACEHOLDER_RE.sub(formula, text)


def title_text(title):
    """The plain text of a note's ``title`` (RenderedTitle.text), without typesetting."""
    text, formulas = extract_math(" ".join((title or "").split()))
    return _plain(text, formulas) if formulas else title or ""


def render_title(title):
    """The RenderedTitle of a note's ``title``."""
    text, formulas = extract_math(" ".join((title or "").split()))
    if not formulas:
        return RenderedTitle(html=html.escape(title or "", quote=False), text=title or "")
    inline = [dataclasses.replace(formula, display=False) for formula in formulas]
    page = insert_math(html.escape(text, quote=False), typeset(inline), inline, PAGE)
    return RenderedTitle(html=page, text=_plain(text, inline))
