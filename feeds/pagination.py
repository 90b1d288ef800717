"""Deep pages are capped, not paid for: a list stops at ``STREAM_MAX_PAGES``.

``?page=N`` costs an OFFSET of N × PAGE_SIZE rows; capped at 100 pages (1,000 notes) the
deepest page stays cheap however many notes there are, and the count stops there too (a COUNT
over a LIMIT). Older notes stay reachable through the archives and the sitemap. A page past the
cap is a 404, like any page past the end.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from pagecache.fragments import memoize


class CappedPaginator(Paginator):
    """``count_name``: the count is kept for the generation under that name (a stream's pages
    all have the same count), one query less on every page after the first."""

    def __init__(self, *args, count_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_name = count_name

    @cached_property
    def count(self):
        limit = settings.STREAM_MAX_PAGES * self.per_page
        count = self.object_list[:limit].count
        return count() if self.count_name is None else memoize(self.count_name, count)
