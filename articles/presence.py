"""Who has a note open in the admin right now: heartbeats kept in the Django cache.

Each open change form pings every ~30 s; an editor not heard from for ``TTL`` seconds is gone.
One cache entry per note maps user ids to their last ping. With Redis (``CACHE_URL``) every
process sees the same entries; with the default local-memory cache each process has its own,
so under several workers an editor sees only those served by the same process. Two pings at
the same instant may drop one editor until their next ping: a notice, never a lock.
"""

import time

from django.core.cache import cache

TTL = 75  # seconds: two missed heartbeats


def _key(article_pk):
    return f"presence:article:{article_pk}"


def _alive(entries, now):
    return {uid: seen for uid, seen in entries.items() if now - seen[0] < TTL}


def ping(article_pk, user, *, leaving=False):
    """Record that ``user`` has the note open (or closed it); returns the others' names."""
    now = time.time()
    entries = _alive(cache.get(_key(article_pk)) or {}, now)
    if leaving:
        entries.pop(user.pk, None)
    else:
        entries[user.pk] = (now, user.get_full_name() or user.get_username())
    cache.set(_key(article_pk), entries, TTL)
    return others(article_pk, user, entries)


def others(article_pk, user, entries=None):
    """Names of the other editors who have the note open, alphabetically."""
    if entries is None:
        entries = _alive(cache.get(_key(article_pk)) or {}, time.time())
    return sorted(name for uid, (_, name) in entries.items() if uid != user.pk)
