"""The sitemap's series section: series with published parts; lastmod is the last content
change of those parts (a draft's edits are not public)."""

from django.contrib.sitemaps import Sitemap

from articles.sitemaps import SlugLocations, local_time
from series.selectors import public_series


class SeriesSitemap(SlugLocations, Sitemap):
    viewname = "series:detail"
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return (
            public_series().order_by("title", "pk").values_list("slug", local_time("last_revised"))
        )

    def lastmod(self, row):
        return row[1]

    def get_latest_lastmod(self):
        return None  # as for categories: the per-series aggregates read every part
