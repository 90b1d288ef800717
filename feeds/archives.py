"""The archive's counts: published notes per month and per year, in the site's time zone.

One aggregate query over every published note (months, grouped in the database), kept for the
current generation (``pagecache.fragments``); years are summed from the months. Drafts and
scheduled notes are not counted (``Article.objects.published()``).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from articles.models import Article
from pagecache.fragments import memoize


@dataclass
class ArchiveYear:
    year: int
    count: int = 0
    months: list = field(default_factory=list)  # [(date of the 1st, count)], newest first

    @property
    def date(self):
        return date(self.year, 1, 1)


def archive_years():
    """[ArchiveYear], newest first, each with its months (newest first) and counts."""
    return memoize("archive-years", _archive_years)


def _archive_years():
    rows = (
        Article.objects.published()
        .annotate(month=TruncMonth("published_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    years = {}
    for row in rows:
        month = row["month"]  # midnight on the 1st, in the site's time zone
        year = years.setdefault(month.year, ArchiveYear(month.year))
        year.count += row["count"]
        year.months.append((date(month.year, month.month, 1), row["count"]))
    return list(years.values())
