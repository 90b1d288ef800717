"""HTTP caching for the HTML pages: validators and lifetimes from the generation.

Every HTML page of one generation has the same ETag (``Generation.etag``, per URL as ETags
always are) and Last-Modified (when the generation began), so a conditional request is
answered from the generation alone, before any view runs. ``Cache-Control`` lets browsers keep
a page ``HTTP_CACHE_MAX_AGE`` seconds and shared caches (a CDN, a reverse proxy)
``HTTP_CACHE_S_MAXAGE``, then serve it stale while revalidating; every lifetime is cut so
that nothing is kept past the next scheduled publication.
"""

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.http import http_date, parse_etags, parse_http_date_safe

# Headers a 304 repeats (RFC 9110 15.4.5).
NOT_MODIFIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Expires", "Vary")


def client_is_current(request, etag, last_modified):
    """Whether the client's copy is current. If-None-Match wins; If-Modified-Since must match
    Last-Modified exactly (a page's Last-Modified can move back, e.g. a feed after a delete)."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        if not etag:
            return False
        opaque = etag.removeprefix("W/")
        tags = parse_etags(if_none_match)
        return any(tag == "*" or tag.removeprefix("W/") == opaque for tag in tags)
    header = request.headers.get("If-Modified-Since")
    if header is None:
        return False
    if_modified_since = parse_http_date_safe(header)
    modified = parse_http_date_safe(last_modified or "")
    return if_modified_since is not None and if_modified_since == modified


def lifetimes(generation):
    """(max-age, s-maxage, stale-while-revalidate), none reaching past the next publication."""
    max_age = settings.HTTP_CACHE_MAX_AGE
    shared = settings.HTTP_CACHE_S_MAXAGE
    stale = settings.HTTP_CACHE_STALE_WHILE_REVALIDATE
    left = generation.seconds_left()
    if left is not None:
        max_age, shared = min(max_age, left), min(shared, left)
        stale = min(stale, left - shared)
    return max_age, shared, stale


def apply_validators(response, generation):
    """Put the generation's ETag, Last-Modified and Cache-Control on an HTML page."""
    max_age, shared, stale = lifetimes(generation)
    directives = f"public, max-age={max_age}, s-maxage={shared}"
    if stale > 0:
        directives += f", stale-while-revalidate={stale}"
    response.headers["Cache-Control"] = directives
    response.headers["ETag"] = generation.etag
    response.headers["Last-Modified"] = http_date(generation.since)
    return response


def not_modified(response):
    """A 304 carrying ``response``'s validators and lifetimes."""
    answer = HttpResponseNotModified()
    for name in NOT_MODIFIED_HEADERS:
        if name in response.headers:
            answer.headers[name] = response.headers[name]
    return answer
