"""A Redis cache that degrades to a miss when Redis is down or slow.

The cache holds only what can be computed again (typeset formulas, pages), so an unreachable
Redis must never turn a page view or a save into a 5xx. ``DegradingRedisCache`` is Django's
``RedisCache`` with the same API; when Redis fails:

- reads (``get``, ``get_many``, ``has_key``) answer as for a missing key, so ``get_or_set``
  computes the value;
- writes (``set``, ``set_many``, ``add``, ``touch``, ``delete``, ``delete_many``, ``clear``)
  do nothing (``add`` and ``touch`` return False);
- ``incr`` and ``decr`` raise ``CacheUnavailable``: a counter has no safe default, so the caller
  decides (a page cache's generation, for one, must not go backwards). It is a ``ValueError``,
  what Django's ``incr`` raises for a missing key, so code written for that case (seed the key
  with ``add``/``set``, which do nothing while Redis is away) degrades without a change.

After a failure the process stops asking Redis for ``RETRY_AFTER`` seconds (default 1), so a
hung Redis costs one socket timeout per worker per second rather than one per cache call. Use
short socket timeouts in OPTIONS (the production settings set them). Failures are logged once
per outage, and the return of Redis once.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` (copying its response callbacks)
for every call; ``ReusingRedisCacheClient`` keeps one per connection pool, a fifth of a cached
page's CPU. A ``redis.Redis`` on a pool is thread-safe and its pool reconnects after a fork.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class CacheUnavailable(ValueError):
    """Redis could not be reached for an operation that has no harmless fallback."""


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, with one ``redis.Redis`` per connection pool instead of one per call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 1.0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._outage = False

    # --- failure bookkeeping -------------------------------------------------------------

    def is_available(self):
        """False while in the back-off window after a failure."""
        return time.monotonic() >= self._down_until

    def _failed(self, operation, error):
        with self._lock:
            self._down_until = time.monotonic() + self.retry_after
            first = not self._outage
            self._outage = True
        if first:
            logger.warning(
                "Cache unavailable (%s: %s): serving without it, retrying every %.1f s",
                operation,
                error,
                self.retry_after,
            )

    def _succeeded(self):
        if self._outage:
            with self._lock:
                was_down, self._outage = self._outage, False
            if was_down:
                logger.warning("Cache available again")

    def _call(self, operation, fallback, *args, **kwargs):
        if not self.is_available():
            return fallback
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except RedisError as error:
            self._failed(operation, error)
            return fallback
        self._succeeded()
        return result

    # --- the Django cache API --------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, key, value, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that were not stored.
        return self._call("set_many", list(data), data, timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, keys, version=version)

    def clear(self):
        return self._call("clear", False)

    def incr(self, key, delta=1, version=None):
        if not self.is_available():
            raise CacheUnavailable(f"cache unavailable, cannot incr {key!r}")
        try:
            value = super().incr(key, delta, version=version)
        except RedisError as error:
            self._failed("incr", error)
            raise CacheUnavailable(f"cache unavailable, cannot incr {key!r}") from error
        self._succeeded()
        return value
