"""Parts of pages that change only when the content does, kept for the current generation.

A page the page cache does not hold (a staff member's, a query it does not store, the first
request after a change) still renders its views and templates; what some of them show is the
same for every request until the next change: the sidebar's counts, a note's related notes.
``memoize(name, compute)`` keeps ``compute()``'s value under the current generation
(``pagecache.generation``), so it is never older than the last change on any worker, and no
kept value outlives the next scheduled publication. With ``FRAGMENT_CACHE_ENABLED`` off, or a
cache that fails, the value is computed each time.

Values must pickle: plain data or rendered HTML (``SafeString``), not querysets.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.urls import get_script_prefix

from pagecache import generation as generations

logger = logging.getLogger(__name__)

_ERROR_LOG_INTERVAL = 60.0
_last_error_log = 0.0


def key_name(name):
    """The key of ``name`` in a generation: the release and settings, the script prefix."""
    identity = f"{generations.fingerprint()}|{get_script_prefix()}|{name}"
    return "fragment:" + hashlib.sha256(identity.encode()).hexdigest()[:40]


def memoize(name, compute):
    """``compute()``'s value for the current generation: one cache round trip when kept."""
    if not settings.FRAGMENT_CACHE_ENABLED:
        return compute()
    key = key_name(name)
    try:
        generation, values = generations.current(extra=[key])
    except Exception as error:  # a cache that fails: computed, never an error page
        _log_error("read", error)
        return compute()
    if generation is None:
        return compute()
    kept = values[key]
    if kept is not None:
        return kept[0]  # stored in a 1-tuple, so that a kept None is told from a missing key
    value = compute()
    timeout, left = settings.PAGE_CACHE_TIMEOUT, generation.seconds_left()
    if left is not None:
        timeout = min(timeout, left)
    if timeout > 0:
        try:
            generations.page_cache().set(generation.key(key), (value,), timeout)
        except Exception as error:
            _log_error("write", error)
    return value


def _log_error(operation, error):
    global _last_error_log
    now = time.monotonic()
    if now - _last_error_log >= _ERROR_LOG_INTERVAL:
        _last_error_log = now
        logger.warning("Fragment cache %s failed, computing: %r", operation, error)
