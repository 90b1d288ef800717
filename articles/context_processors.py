from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

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
        "site_urls": _site_urls(get_script_prefix()),
    }


@lru_cache(maxsize=8)
def _site_urls(script_prefix):
    """``SITE_URLS`` reversed once per script prefix (a dozen ``{% url %}`` on every page)."""
    return {name: reverse(view) for name, view in SITE_URLS.items()}


@receiver(setting_changed, dispatch_uid="site_urls")
def _forget_site_urls(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _site_urls.cache_clear()
