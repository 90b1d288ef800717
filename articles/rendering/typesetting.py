"""KaTeX, server side: an embedded V8 (mini-racer), a formula cache, and math put into HTML.

Math is inserted after sanitising and only from KaTeX (``trust: false``): HTML+MathML for the
page, MathML only for feeds.
"""

import asyncio
import atexit
import ctypes
import hashlib
import html
import json
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from articles.rendering.formulas import PLACEHOLDER_RE

_KATEX_DIR = Path(settings.BASE_DIR) / "node_modules" / "katex" / "dist"
# Formulas per V8 call: one call is cheaper than many, a smaller one loses less on a timeout.
_BATCH = 200
# The error of formulas the note's time limit left untried: not the formula's fault, not cached.
DEADLINE_ERROR = "KaTeX stopped: the note's formulas took too long in all"
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
    """KaTeX in an embedded V8 (mini-racer). One context, guarded by a lock (not thread-safe).

    The context is closed explicitly at exit and before a fork (docs/katex-lifecycle.md): left
    to mini-racer's destructor during interpreter shutdown, freeing it can wait forever for a
    thread that can no longer run Python. Each call has a time and a V8 memory limit.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._ctx = None
        self._pid = None  # the process that created the context
        self._last_limit = ""  # why the latest _call() gave up
        self.version = ""

    def _context(self):
        if self._ctx is not None and self._pid != os.getpid():
            # Inherited through a fork the hooks did not see: its V8 threads stayed in the
            # parent, so it can be neither used nor freed here. Never release it.
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(self._ctx))
            self._ctx = None
        if self._ctx is None:
            from py_mini_racer import MiniRacer

            ctx = MiniRacer()
            ctx.eval("var self = globalThis;")
            ctx.eval((_KATEX_DIR / "katex.min.js").read_text(encoding="utf-8"))
            ctx.eval(_KATEX_JS)
            self.version = ctx.eval("katex.version")
            self._ctx, self._pid = ctx, os.getpid()
        return self._ctx

    def close(self):
        """Free the V8 context now, while its threads can still run (at exit, before fork)."""
        # A thread stuck rendering at exit must not block the exit: give up after a while.
        if not self._lock.acquire(timeout=15):
            return
        try:
            self._discard()
        finally:
            self._lock.release()

    def _discard(self):
        ctx, self._ctx = self._ctx, None
        if ctx is not None and self._pid == os.getpid():
            ctx.close()

    def _after_fork_in_child(self):
        # The parent closed its context before forking; a lock held then stays held here.
        self._lock = threading.Lock()

    def ensure_loaded(self):
        """Start the engine (and learn the KaTeX version used in cache keys)."""
        with self._lock:
            self._context()

    def render_many(self, items):
        """[(tex, display)] -> [(page_html, mathml, error)] within RENDER_TIMEOUT in all.

        Formulas go to V8 in batches; a batch over the time or memory limit is retried one
        formula at a time (RENDER_FORMULA_TIMEOUT each), so only the culprits fail. What the
        deadline leaves untried gets DEADLINE_ERROR, which is not cached.
        """
        deadline = time.monotonic() + settings.RENDER_TIMEOUT
        results = []
        with self._lock:
            for start in range(0, len(items), _BATCH):
                batch = items[start : start + _BATCH]
                seconds = min(deadline - time.monotonic(), 2 * settings.RENDER_FORMULA_TIMEOUT)
                rows = self._call(batch, seconds)
                if rows is None:
                    rows = [self._render_alone(item, deadline) for item in batch]
                results.extend(rows)
        return results

    def _render_alone(self, item, deadline):
        left = deadline - time.monotonic()
        rows = self._call([item], min(left, settings.RENDER_FORMULA_TIMEOUT))
        if rows is not None:
            return rows[0]
        if left <= settings.RENDER_FORMULA_TIMEOUT:
            return (None, None, DEADLINE_ERROR)
        return (None, None, self._last_limit)

    def _call(self, batch, seconds):
        """One JS call; None when it hit the time or memory limit."""
        from py_mini_racer import JSEvalException, JSOOMException, JSTimeoutException

        if seconds <= 0:
            return None
        payload = json.dumps([{"tex": tex, "display": display} for tex, display in batch])
        limit_mb = settings.RENDER_MAX_MEMORY_MB
        try:
            result = self._context().call(
                "renderAll", payload, timeout_sec=seconds, max_memory=limit_mb * 1024 * 1024
            )
        except JSTimeoutException:
            # V8 stopped the script; the context stays usable (KaTeX keeps no state between
            # calls), and closing it now would race the stopped script's own callback.
            self._last_limit = f"KaTeX stopped: more than {seconds:.3g} s to typeset"
        except JSEvalException as exc:
            # Over the heap limit the context is left terminated: the next call gets a new one.
            self._discard()
            if isinstance(exc, JSOOMException):
                self._last_limit = f"KaTeX stopped: more than {limit_mb} MB to typeset"
            else:
                self._last_limit = f"KaTeX stopped: {exc}"
        else:
            return [tuple(row) for row in json.loads(result)]
        return None


def _outside_event_loop(function, *args, **kwargs):
    """Call ``function`` here, or in a helper thread when this thread runs an asyncio loop:
    mini-racer refuses a time limit inside one, and a context made there waits for that loop
    (a sync save under Playwright's sync API, an async view)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


katex = KatexRenderer()
atexit.register(katex.close)
os.register_at_fork(before=katex.close, after_in_child=katex._after_fork_in_child)


def _cache_key(tex, display):
    # KaTeX's own result, not the wrapped HTML: a broken formula's HTML shows its source,
    # which differs between $\frac{1$ and \(\frac{1\) with the same TeX.
    digest = hashlib.sha256(f"{katex.version}|{int(display)}|{tex}".encode()).hexdigest()
    return f"render:katex-raw:{digest}"


def typeset(formulas):
    """Typeset formulas -> [(page_html, feed_mathml)], using the cache for unchanged ones."""
    if not formulas:
        return []
    return _outside_event_loop(_typeset, formulas)


def _typeset(formulas):
    katex.ensure_loaded()
    keys = [_cache_key(f.tex, f.display) for f in formulas]
    cached = cache.get_many(list(set(keys)))
    missing = {key: f for key, f in zip(keys, formulas, strict=True) if key not in cached}
    if missing:
        results = katex.render_many([(f.tex, f.display) for f in missing.values()])
        fresh = {key: tuple(result) for key, result in zip(missing, results, strict=True)}
        untried = {key for key, result in fresh.items() if result[2] == DEADLINE_ERROR}
        cache.set_many({k: v for k, v in fresh.items() if k not in untried}, timeout=None)
        cached.update(fresh)
    return [_wrap(f, *cached[key]) for key, f in zip(keys, formulas, strict=True)]


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


_BROKEN_RE = re.compile(r'<span class="math math-(?:inline|display) math-error" title="([^"]*)"')


def _with_error_line(broken, line):
    """A broken formula's span with its line and KaTeX's message as data attributes (the
    preview's, for the editor: ``sourcemap.strip_source_map`` removes them again)."""
    message = _BROKEN_RE.match(broken).group(1)
    return broken.replace(
        "<span ", f'<span data-source-line="{line}" data-katex-error="{message}" ', 1
    )


def insert_math(fragment, typeset_formulas, formulas, output, error_lines=None):
    """Replace placeholders: typeset math (``output`` PAGE or FEED) in text, the escaped
    source inside tags/attributes. ``error_lines`` ({formula number: source line}, the
    preview's) marks broken formulas with their line and message."""
    if not formulas:
        return fragment

    def text_sub(match):
        n = int(match.group(1))
        typeset_html = typeset_formulas[n][output]
        if error_lines and n in error_lines and _BROKEN_RE.match(typeset_html):
            return _with_error_line(typeset_html, error_lines[n])
        return typeset_html

    def attr_sub(match):
        return html.escape(formulas[int(match.group(1))].source)

    parts = re.split(r"(<[^>]*>)", fragment)
    for i, part in enumerate(parts):
        sub = attr_sub if i % 2 else text_sub
        parts[i] = PLACEHOLDER_RE.sub(sub, part)
    return "".join(parts)
