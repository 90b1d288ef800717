"""Conditional GET for the feeds: validators from the page cache's generation (no query) or,
without it, from one aggregate query; never from the built feed.

What the ETag and Last-Modified capture, and why: docs/feed-conditional-get.md.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe

# Bump when the feeds' markup changes, so that every reader fetches the new shape once.
FEED_FORMAT_VERSION = 1


@dataclass(frozen=True)
class FeedValidators:
    etag: str
    last_modified: datetime | None

    @classmethod
    def for_state(cls, state, request, *, format_name, variant):
        digest = _digest(request, format_name, variant, state.fingerprint)
        return cls(etag=f'W/"{digest}"', last_modified=state.last_modified)

    @classmethod
    def for_generation(cls, generation, scope, request, *, format_name, variant):
        """From the page cache's generation (``pagecache.generation``): no query. It moves on
        every change a feed can show (tags and names included) and when a scheduled note's
        time comes; Last-Modified is when it began."""
        digest = _digest(request, format_name, variant, (*scope, generation.etag))
        since = datetime.fromtimestamp(generation.since, UTC)
        return cls(etag=f'W/"{digest}"', last_modified=since)

    def match(self, request):
        """Whether the client's copy is current (If-None-Match wins over If-Modified-Since)."""
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            opaque = self.etag.removeprefix("W/")
            return any(
                tag == "*" or tag.removeprefix("W/") == opaque for tag in parse_etags(if_none_match)
            )
        if_modified_since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        return (
            if_modified_since is not None
            and self.last_modified is not None
            and if_modified_since == int(self.last_modified.timestamp())
        )

    def apply(self, response):
        """Put the validators and the cache lifetime on a feed response (200 or 304)."""
        response.headers["ETag"] = self.etag
        if self.last_modified is not None:
            response.headers["Last-Modified"] = http_date(self.last_modified.timestamp())
        else:
            response.headers.pop("Last-Modified", None)
        patch_cache_control(response, public=True, max_age=settings.FEED_CACHE_MAX_AGE)
        return response

    def not_modified(self):
        return self.apply(HttpResponseNotModified())


def _digest(request, format_name, variant, fingerprint):
    parts = (
        FEED_FORMAT_VERSION,
        format_name,
        variant,
        request.scheme,
        request.get_host(),
        *fingerprint,
        settings.SITE_TITLE,
        settings.SITE_DESCRIPTION,
        settings.LANGUAGE_CODE,
        settings.FEED_ITEMS,
        # rerender_articles rewrites every summary after a change of length, without
        # touching the notes' edit times.
        settings.SUMMARY_LENGTH,
        settings.FEED_CACHE_MAX_AGE,
        settings.FEED_TAG_AUTHORITY,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
