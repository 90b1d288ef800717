"""Anonymous GET and HEAD of the public pages and feeds, served from the cache.

Placed right after the request id, before the security, CSP and WhiteNoise middleware: a hit
skips them all, and sessions, CSRF, auth and messages, and touches no database. A stored page
carries the headers they added when it was made (the same for every anonymous request: the
CSP uses no nonce); only ``X-Request-ID`` is per request. Static files and the plain-HTTP
requests that ``SECURE_SSL_REDIRECT`` redirects pass straight through. The rules, after
Django's cache middleware:

- Only requests without a session or messages cookie and without ``Authorization``, with query
  parameters the pages read (anything else, e.g. ``?utm_source``, is computed, not stored).
  Session holders (staff) always get a fresh page, marked private.
- Only 200s of the public views (``CACHED_NAMESPACES``, ``CACHED_URL_NAMES``) without
  ``Set-Cookie``, ``Vary``, a private/no-cache ``Cache-Control`` or a CSP nonce are stored: a
  page with a CSRF token, messages or a draft preview never is.
- The key holds the generation (``pagecache.generation``), the release and settings
  fingerprint, the scheme, the host and the full path.
- A cache that fails means an uncached page, never an error page.
"""

import hashlib
import logging
import time
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

from pagecache import generation as generations
from pagecache import http
from pagecache.local import LocalPages

logger = logging.getLogger(__name__)

CACHED_NAMESPACES = frozenset({"articles", "feeds", "search", "series"})
CACHED_URL_NAMES = frozenset({"sitemap", "sitemap_section", "robots_txt"})
# Query parameters some page reads; a request with any other one is served uncached.
QUERY_PARAMETERS = frozenset({"page", "p", "q", "category", "tag", "series", "full"})
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage
STATUS_HEADER = "X-Page-Cache"
HTML_TYPES = ("text/html",)
_ERROR_LOG_INTERVAL = 60.0


class Entry(NamedTuple):
    """A stored page: what the response had, and when its copy in the cache expires."""

    status: int
    headers: list
    content: bytes
    ours: bool  # validators from the generation (pages), not the view's own (feeds)
    expires: float


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._last_error_log = 0.0
        # WhiteNoise (further in) serves these; asking the cache first would slow them down.
        self._static_prefix = urlsplit(settings.STATIC_URL or "/static/").path
        self._local = LocalPages(settings.PAGE_CACHE_LOCAL_MAX_BYTES)

    def __call__(self, request):
        if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if request.path_info.startswith(self._static_prefix) or is_redirected_to_https(request):
            return self.get_response(request)
        if has_personal_cookie(request):
            return self._personal(request)
        if not is_cacheable_request(request):
            return self.get_response(request)
        try:
            name = page_key_name(request)
        except DisallowedHost:
            return self.get_response(request)  # the 400 comes from the usual place
        # A page this process holds for the generation it saw last: read only the generation.
        seen = generations.last_seen()
        local = self._local.get(seen, name)
        try:
            generation, values = generations.current(extra=[] if local else [name])
            if local is not None and generation is not None and generation.number != seen:
                values[name] = generations.page_cache().get(generation.key(name))
        except Exception as error:  # any cache failure: serve the page uncached
            self._log_error("read", error)
            generation = None
        if generation is None:
            return self.get_response(request)
        if local is not None and generation.number == seen:
            return from_entry(request, generation, local)
        entry = values[name]
        if entry is not None:
            self._local.put(generation.number, name, entry)
            return from_entry(request, generation, entry)
        if http.client_is_current(request, generation.etag, None):
            # The client holds an HTML page of this generation: no view, no query.
            return http.not_modified(http.apply_validators(HttpResponse(), generation))
        response = self.get_response(request)
        if is_storable(request, response):
            ours = not response.has_header("ETag")  # pages, sitemap, robots.txt (not feeds)
            if ours:
                http.apply_validators(response, generation)
            if request.method == "GET":  # a HEAD's body may be gone: GET fills the cache
                self._store(response, generation, name, ours)
        return response

    def _personal(self, request):
        response = self.get_response(request)
        if is_public_view(request) and "Cache-Control" not in response.headers:
            add_never_cache_headers(response)  # never kept by a browser or a shared cache
        response.headers[STATUS_HEADER] = "bypass"
        return response

    def _store(self, response, generation, name, ours):
        timeout, left = settings.PAGE_CACHE_TIMEOUT, generation.seconds_left()
        if left is not None:
            timeout = min(timeout, left)
        if timeout <= 0:
            return
        entry = Entry(
            response.status_code,
            list(response.headers.items()),
            response.content,
            ours,
            time.time() + timeout,
        )
        try:
            generations.page_cache().set(generation.key(name), entry, timeout)
        except Exception as error:
            self._log_error("write", error)
            return
        self._local.put(generation.number, name, entry)
        response.headers[STATUS_HEADER] = "miss"

    def _log_error(self, operation, error):
        now = time.monotonic()
        if now - self._last_error_log >= _ERROR_LOG_INTERVAL:
            self._last_error_log = now
            logger.warning("Page cache %s failed, serving uncached: %r", operation, error)


def has_personal_cookie(request):
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies


def is_redirected_to_https(request):
    """Plain HTTP that SecurityMiddleware (further in) answers with its redirect."""
    return settings.SECURE_SSL_REDIRECT and not request.is_secure()


def is_cacheable_request(request):
    return "Authorization" not in request.headers and set(request.GET) <= QUERY_PARAMETERS


def page_key_name(request):
    """The page's part of the key: fingerprint, scheme, host and full path (digested)."""
    url = f"{generations.fingerprint()}|{request.scheme}|{request.get_host()}|"
    url += request.get_full_path()
    return "page:" + hashlib.sha256(url.encode()).hexdigest()[:40]


def is_public_view(request):
    match = request.resolver_match
    return match is not None and (
        match.namespace in CACHED_NAMESPACES or match.url_name in CACHED_URL_NAMES
    )


def is_html(response):
    return response.get("Content-Type", "").startswith(HTML_TYPES)


def is_storable(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies or response.has_header("Vary"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in ("private", "no-store", "no-cache")):
        return False
    if uses_csp_nonce(response):  # a nonce is per response: a stored copy would reuse it
        return False
    return is_public_view(request)


def uses_csp_nonce(response):
    policies = (
        response.get("Content-Security-Policy", ""),
        response.get("Content-Security-Policy-Report-Only", ""),
    )
    return any("'nonce-" in policy for policy in policies)


def from_entry(request, generation, entry):
    response = HttpResponse(entry.content, status=entry.status)
    for header, value in entry.headers:
        response.headers[header] = value
    if entry.ours:  # lifetimes shrink as the next publication nears
        http.apply_validators(response, generation)
    if http.client_is_current(request, response.get("ETag"), response.get("Last-Modified")):
        return http.not_modified(response)
    response.headers[STATUS_HEADER] = "hit"
    return response
