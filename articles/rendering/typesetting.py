"""KaTeX, server side: an embedded V8 (mini-racer), a formula cache, and math put into HTML.

Math is inserted after sanitising and only from KaTeX (``trust: false``): HTML+MathML for the
page, MathML only for feeds.
"""

import hashlib
import html
import json
import re
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from articles.rendering.formulas import PLACEHOLDER_RE

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


PAGE, FEED = 0, 1  # which of typeset()'s pair insert_math uses


def insert_math(fragment, typeset_formulas, formulas, output):
    """Replace placeholders: typeset math (``output`` PAGE or FEED) in text, the escaped
    source inside tags/attributes."""
    if not formulas:
        return fragment

    def text_sub(match):
        return typeset_formulas[int(match.group(1))][output]

    def attr_sub(match):
        return html.escape(formulas[int(match.group(1))].source)

    parts = re.split(r"(<[^>]*>)", fragment)
    for i, part in enumerate(parts):
        sub = attr_sub if i % 2 else text_sub
        parts[i] = PLACEHOLDER_RE.sub(sub, part)
    return "".join(parts)
