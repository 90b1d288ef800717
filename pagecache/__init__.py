"""The page cache: anonymous pages and feeds served from the cache, invalidated at once.

``pagecache.invalidate()`` marks every cached page stale (one ``incr`` of the shared generation,
after commit); the signal receivers in ``pagecache.invalidation`` call it for every change a
page can show. Code that writes notes without ``save()`` (``bulk_create``, ``update()``) calls it
itself. Design notes: docs/page-cache.md.
"""


def invalidate(paths=()):
    """After the current transaction commits: start a new generation, purge ``paths``."""
    from pagecache.invalidation import invalidate_after_commit

    invalidate_after_commit(paths)
