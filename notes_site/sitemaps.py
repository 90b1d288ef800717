"""The sitemap's sections, from the apps that own them (articles may not import series or the
page cache), each with its count kept for the generation.

The index counts every section to list its files, and each file counts its own to check its
page number: an aggregate over every published note. ``pagecache.fragments.memoize`` keeps it
until the next change, and the index builds no section's queryset at all.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from articles.sitemaps import SITEMAPS as ARTICLE_SITEMAPS
from pagecache.fragments import memoize
from series.sitemaps import SeriesSitemap


class KeptCountPaginator(Paginator):
    """The count is kept for the generation under ``count_name``."""

    def __init__(self, object_list, per_page, *, count_name, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_name = count_name

    @cached_property
    def count(self):
        return memoize(self.count_name, self.object_list.count)


class _ItemsWhenRead:
    """A section's items, built when a page of them is read (the index reads only the count):
    the categories' and series' querysets, with their aggregates, take milliseconds to build."""

    ordered = True  # every section orders its items

    def __init__(self, items):
        self._items = items

    @cached_property
    def items(self):
        return self._items()

    def count(self):
        return self.items.count()

    def __getitem__(self, key):
        return self.items[key]


class KeptCount:
    """A Sitemap mixin: the section's count kept for the generation."""

    @property
    def paginator(self):
        name = f"sitemap:{type(self).__name__}"
        return KeptCountPaginator(_ItemsWhenRead(self._items), self.limit, count_name=name)


def kept_count(sitemap):
    return type(sitemap.__name__, (KeptCount, sitemap), {})


SITEMAPS = {
    section: kept_count(sitemap)
    for section, sitemap in {**ARTICLE_SITEMAPS, "series": SeriesSitemap}.items()
}
