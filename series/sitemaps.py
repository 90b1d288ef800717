"""The sitemap's series section: series with published parts; lastmod is the last content
change of those parts (a draft's edits are not public)."""

from django.contrib.sitemaps import Sitemap

from series.selectors import public_series


class SeriesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return public_series().order_by("title", "pk")

    def lastmod(self, series):
        return series.last_revised

    def get_latest_lastmod(self):
        return None  # as for categories: the per-series aggregates read every part
