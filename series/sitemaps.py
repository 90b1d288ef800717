"""The sitemap's series section: series with published parts, lastmod from those parts only."""

from django.contrib.sitemaps import Sitemap

from series.selectors import public_series


class SeriesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return public_series().order_by("title", "pk")

    def lastmod(self, series):
        return series.last_published

    def get_latest_lastmod(self):
        return None  # as for categories: the per-series aggregates read every part
