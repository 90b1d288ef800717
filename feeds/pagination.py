"""Deep pages are capped, not paid for: a list stops at ``STREAM_MAX_PAGES``.

``?page=N`` costs an OFFSET of N × PAGE_SIZE rows; capped at 100 pages (1,000 notes) the
deepest page stays cheap however many notes there are, and the count stops there too (a COUNT
over a LIMIT). Older notes stay reachable through the archives and the sitemap. A page past the
cap is a 404, like any page past the end.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    @cached_property
    def count(self):
        limit = settings.STREAM_MAX_PAGES * self.per_page
        return self.object_list[:limit].count()
