"""The generation: one number in the shared cache that every page key and validator carries.

A change that can alter a page increments it (``bump``), so every worker and every replica
stops using the pages of the old generation at once; they expire by themselves. A missing
generation (Redis restarted, it keeps nothing on disk) is seeded from the clock in
microseconds, never from 1: a number cannot come back after a restart, so neither can an old
ETag. Each generation remembers when it began (``since``, the pages' Last-Modified) and the
first publication time after that (``next``): when that time comes, the next request bumps the
generation, so a scheduled note appears without a save and without cron.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver

from articles.selectors import first_publication_after

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
NO_PUBLICATION = 0.0  # "next" when nothing is scheduled (None means "not known yet")

# What a page shows besides the database: a change of one of these (a deploy) is a new key space.
SHOWN_SETTINGS = (
    "SITE_TITLE",
    "SITE_TAGLINE",
    "SITE_DESCRIPTION",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "PAGE_SIZE",
    "STREAM_MAX_PAGES",
    "SUMMARY_LENGTH",
    "FEED_ITEMS",
    "FEED_CACHE_MAX_AGE",
    "FEED_TAG_AUTHORITY",
    "SEARCH_MAX_RESULTS",
    "SEARCH_MAX_QUERY_LENGTH",
    "SEARCH_SNIPPET_LENGTH",
    "STATIC_URL",
    # The headers stored with a page (the middleware serves hits before the ones that add them).
    "CONTENT_SECURITY_POLICY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
)
# The code and assets that make the pages: a deploy that changes them changes the fingerprint.
RELEASE_DIRS = (
    "templates",
    "static",
    "articles",
    "feeds",
    "search",
    "series",
    "pagecache",
    "notes_site",
)
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".css", ".js"}


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


@lru_cache(maxsize=1)
def release_fingerprint():
    """A digest of the templates, static files and code, computed once per process."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for directory in RELEASE_DIRS:
        for path in sorted((base / directory).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def fingerprint():
    """The release and the settings the pages show, as a short digest (part of every key).

    Computed once per process; a changed setting (tests, ``override_settings``) forgets it.
    """
    shown = repr([getattr(settings, name, None) for name in SHOWN_SETTINGS])
    return hashlib.sha256(f"{release_fingerprint()}{shown}".encode()).hexdigest()[:12]


@receiver(setting_changed, dispatch_uid="pagecache_fingerprint")
def _forget_fingerprint(setting, **kwargs):
    if setting in SHOWN_SETTINGS:
        fingerprint.cache_clear()


@dataclass(frozen=True)
class Generation:
    number: int
    since: float  # when it began (Unix time): the pages' Last-Modified
    next_publication: float | None  # the first publication after ``since``; None: none planned
    fingerprint: str

    def key(self, name):
        return f"pagecache:{self.number}:{name}"

    @property
    def etag(self):
        """The validator of every HTML page rendered in this generation (per URL, as always)."""
        return f'W/"{self.number}-{self.fingerprint}"'

    def seconds_left(self, now=None):
        """Seconds until the next scheduled publication; None when nothing is scheduled."""
        if self.next_publication is None:
            return None
        return max(0, int(self.next_publication - (time.time() if now is None else now)))


def clock_seed():
    """A generation number from the clock, in microseconds: a bump is a round trip to the cache
    (well over a microsecond), so no run of bumps ever gets ahead of a later seed."""
    return int(time.time() * 1_000_000)


def _timeout():
    return settings.PAGE_CACHE_TIMEOUT


def current_number(cache=None):
    """The current generation number, seeded from the clock when missing; None if unavailable."""
    cache = cache or page_cache()
    number = cache.get(GENERATION_KEY)
    if number is None:
        seed = clock_seed()
        cache.add(GENERATION_KEY, seed, None)
        number = cache.get(GENERATION_KEY)
    return number


def _next_publication(cache, key, since):
    """The first publication time after ``since`` (one query, then cached in the generation)."""
    when = first_publication_after(datetime.fromtimestamp(since, tz=UTC))
    value = NO_PUBLICATION if when is None else when.timestamp()
    cache.set(key, value, _timeout())
    return value


_bump_pending = False  # this process could not start a new generation after a change
_last_number = None  # the generation this process saw last (a guess, checked on every read)


def last_seen():
    """The generation number this process read last (None before the first read)."""
    return _last_number


def _keys(number, names):
    return {name: f"pagecache:{number}:{name}" for name in names}


def _read(cache, names):
    """The generation number and the values of ``names`` in it, usually in one round trip.

    The number this process saw last is a guess: its keys are read in the same ``get_many``
    as the generation itself (one MGET, atomic in Redis) and used only if the generation
    still is that number, so a bump on any worker is seen on the very next request. When it
    moved, a second round trip reads the keys of the new number.
    """
    global _last_number
    guess = _last_number
    number = None
    if guess is not None:
        keys = _keys(guess, names)
        values = cache.get_many([GENERATION_KEY, *keys.values()])
        number = values.get(GENERATION_KEY)
        if number == guess:
            return number, {name: values.get(key) for name, key in keys.items()}
    if number is None:
        number = current_number(cache)
        if number is None:
            return None, {}
    _last_number = number
    keys = _keys(number, names)
    values = cache.get_many(list(keys.values()))
    return number, {name: values.get(key) for name, key in keys.items()}


def current(cache=None, *, extra=()):
    """The current generation and the cached values of the ``extra`` keys in it.

    Returns ``(None, {})`` when the cache cannot be used (down, or the generation keeps moving):
    the caller then serves the page uncached. At most one query (the next publication time,
    once per generation and ``PAGE_CACHE_TIMEOUT``); none on the usual path.
    """
    cache = cache or page_cache()
    if _bump_pending:
        # Until the invalidation gets through, this process serves nothing from the cache
        # (an error here means an uncached page): never a page older than its own writes.
        bump(cache)
    for _attempt in range(3):
        number, values = _read(cache, ["since", "next", *extra])
        if number is None:
            return None, {}
        keys = _keys(number, ["since", "next"])
        since = values["since"]
        if since is None:
            since = time.time()
            cache.add(keys["since"], since, None)
        next_publication = values["next"]
        if next_publication is None:
            next_publication = _next_publication(cache, keys["next"], since)
        if next_publication != NO_PUBLICATION and next_publication <= time.time():
            # A scheduled note's time has come: one request (the one that adds the marker)
            # starts the next generation; the others see it on their next attempt.
            if cache.add(f"pagecache:{number}:due", 1, _timeout()):
                bump(cache)
            continue
        generation = Generation(
            number=number,
            since=since,
            next_publication=None if next_publication == NO_PUBLICATION else next_publication,
            fingerprint=fingerprint(),
        )
        return generation, {name: values[name] for name in extra}
    return None, {}


def bump(cache=None):
    """Start a new generation: every cached page and every ETag of the old one is stale.

    When the cache cannot be reached this raises, and the process remembers it: its next
    request tries again before reading any page (``current``).
    """
    global _bump_pending
    cache = cache or page_cache()
    try:
        try:
            number = cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet (or Redis lost it): seed one from the clock
            seed = clock_seed()
            number = seed if cache.add(GENERATION_KEY, seed, None) else cache.incr(GENERATION_KEY)
        cache.set(f"pagecache:{number}:since", time.time(), None)
    except Exception:
        _bump_pending = True
        raise
    _bump_pending = False
    return number


def current_or_none():
    """The current generation when the page or the fragment cache is on (either keeps the
    generation in use) and its cache answers, else None."""
    if not (settings.PAGE_CACHE_ENABLED or settings.FRAGMENT_CACHE_ENABLED):
        return None
    try:
        return current()[0]
    except Exception as error:  # a cache that fails: the caller falls back
        logger.warning("Page cache generation unavailable: %r", error)
        return None
