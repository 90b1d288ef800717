"""The pages a worker served last, in its own memory, by generation.

With one of them at hand, a hit reads only the generation from the shared cache (three small
keys in one ``MGET``), not the page: a note's page is up to a few hundred kilobytes that Redis
would otherwise copy, and the worker receive and unpickle, on every request. The generation is
still read on every request, so a change on any worker is seen on the next one, and an entry
is used only until its copy in the shared cache expires. ``PAGE_CACHE_LOCAL_MAX_BYTES`` bounds
the memory per process (least recently used pages go first; 0 turns this layer off).
"""

import contextlib
import threading
import time

from cachetools import LRUCache

ENTRY_OVERHEAD = 1024  # headers and bookkeeping, roughly, besides the body


class LocalPages:
    def __init__(self, max_bytes):
        self._pages = LRUCache(maxsize=max_bytes, getsizeof=entry_size) if max_bytes > 0 else None
        self._lock = threading.Lock()  # gthread workers share the process

    def get(self, number, name):
        """The entry of page ``name`` in generation ``number``, if kept and not expired."""
        if self._pages is None or number is None:
            return None
        with self._lock:
            entry = self._pages.get((number, name))
        if entry is None or entry.expires <= time.time():
            return None
        return entry

    def put(self, number, name, entry):
        if self._pages is None:
            return
        with self._lock, contextlib.suppress(ValueError):  # ValueError: larger than the budget
            self._pages[number, name] = entry


def entry_size(entry):
    return len(entry.content) + ENTRY_OVERHEAD
