from django.conf import settings

from notes_site.cached_urls import cached_reverse

# The pages that every page links to (header, footer, feed autodiscovery): ``site_urls.home``.
SITE_URLS = {
    "home": "feeds:home",
    "categories": "articles:category_list",
    "series": "series:index",
    "archive": "feeds:archive_index",
    "rss": "feeds:rss",
    "atom": "feeds:atom",
    "json": "feeds:json",
    "search": "search:results",
}


def site(request):
    return {
        "SITE_TITLE": settings.SITE_TITLE,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SITE_DESCRIPTION": settings.SITE_DESCRIPTION,
        "site_urls": {name: cached_reverse(view) for name, view in SITE_URLS.items()},
    }
