"""Feed URLs. Slugs may be Chinese: the patterns reuse the ``uslug`` converter's regex (the
converter itself is registered by articles.urls, which is included after this module)."""

from django.urls import path, re_path

from articles.converters import UnicodeSlugConverter
from feeds.feeds import CategoryFeed, StreamFeed, TagFeed
from feeds.generators import AtomFeed, JsonFeed, RssFeed

app_name = "feeds"

SLUG = rf"(?P<slug>{UnicodeSlugConverter.regex})"
FORMATS = {"rss": RssFeed, "atom": AtomFeed, "json": JsonFeed}

urlpatterns = [
    *(path(f"{name}/", StreamFeed(generator), name=name) for name, generator in FORMATS.items()),
    *(
        re_path(rf"^categories/{SLUG}/{name}/\Z", CategoryFeed(generator), name=f"category_{name}")
        for name, generator in FORMATS.items()
    ),
    *(
        re_path(rf"^tags/{SLUG}/{name}/\Z", TagFeed(generator), name=f"tag_{name}")
        for name, generator in FORMATS.items()
    ),
]
