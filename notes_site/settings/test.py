"""Test settings: fast hashing, plain static storage (with the compressed manifest storage,
live_server answers 404 for every static file)."""

from .base import *  # noqa: F403
from .base import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests run in transactions that never commit (no invalidation): tests/test_page_cache.py
# and tests/test_http_caching.py switch the page cache (and the fragment cache) on.
PAGE_CACHE_ENABLED = False
FRAGMENT_CACHE_ENABLED = False
