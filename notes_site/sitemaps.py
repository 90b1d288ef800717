"""The sitemap: its sections, from the apps that own them (articles may not import series or the
page cache), and the view that writes one file of a section.

Django's ``index`` view lists the files: it reads each section's count, an aggregate over every
published note, kept for the generation (``pagecache.fragments.memoize``), so it runs no query.
A file (``sitemap_file``) reads its page of rows: a file of notes after the first starts at the
stream key kept for it, the categories' and the series' rows (an aggregate each over every
note) are kept whole.
"""

from datetime import datetime
from html import escape

from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import http_date

from articles.sitemaps import SITEMAPS as ARTICLE_SITEMAPS
from pagecache.fragments import memoize
from series.sitemaps import SeriesSitemap

# Sections whose rows are kept for the generation: a few rows, each an aggregate over every note.
KEPT_ROWS = {"categories", "series"}


class SectionItems:
    """A section's items as its paginator reads them: the count, then one page, each read
    when asked (the index reads only the count) and kept for the generation where it pays."""

    ordered = True  # every section orders its items

    def __init__(self, sitemap, name):
        self.sitemap = sitemap
        self.name = name

    @cached_property
    def items(self):
        return self.sitemap.items()

    def count(self):
        return memoize(self.name, lambda: self.items.count())

    def __getitem__(self, page):  # the paginator's slice
        if self.sitemap.keep_rows:
            return memoize(f"{self.name}:rows", lambda: list(self.items))[page]
        if page.start and hasattr(self.sitemap, "items_from"):
            try:
                key = memoize(f"{self.name}:{page.start}", lambda: self.sitemap.key_at(page.start))
            except IndexError:  # no longer that many items (a change since the count)
                return []
            return self.sitemap.items_from(key)[: page.stop - page.start]
        return self.items[page]


class KeptSection:
    """A Sitemap mixin: the section's count, and its rows or its files' first keys, kept."""

    keep_rows = False

    @property
    def paginator(self):
        return Paginator(SectionItems(self, f"sitemap:{type(self).__name__}"), self.limit)


def kept(section, sitemap):
    attributes = {"keep_rows": section in KEPT_ROWS}
    return type(sitemap.__name__, (KeptSection, sitemap), attributes)


SITEMAPS = {
    section: kept(section, sitemap)
    for section, sitemap in {**ARTICLE_SITEMAPS, "series": SeriesSitemap}.items()
}


@x_robots_tag
def sitemap_file(request, section):
    """One file of a section, as Django's ``sitemap`` view answers it (the same pages, 404s,
    XML and Last-Modified), written from the rows: its template and ``Sitemap.get_urls`` cost
    ~165 µs a URL, 1.7 s for a file of 10,000."""
    if section not in SITEMAPS:
        raise Http404(f"No sitemap available for section: {section!r}")
    sitemap = SITEMAPS[section]()
    page = request.GET.get("p", 1)
    try:
        rows = sitemap.paginator.page(page).object_list
    except EmptyPage:
        raise Http404(f"Page {page} empty") from None
    except PageNotAnInteger:
        raise Http404(f"No page '{page}'") from None
    site = f"{sitemap.get_protocol(request.scheme)}://{get_current_site(request).domain}"
    tail = (
        f"<changefreq>{sitemap.changefreq}</changefreq>"
        f"<priority>{sitemap.priority}</priority></url>"
    )
    location = sitemap.location
    if hasattr(sitemap, "lastmod"):
        lastmods = [sitemap.lastmod(row) for row in rows]  # local time text: see local_time
        urls = [
            f"<url><loc>{escape(site + location(row))}</loc><lastmod>{lastmod[:10]}</lastmod>{tail}"
            for row, lastmod in zip(rows, lastmods, strict=True)
        ]
        latest = max(lastmods, default=None)
    else:
        urls = [f"<url><loc>{escape(site + location(row))}</loc>{tail}" for row in rows]
        latest = None
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        f"{''.join(urls)}\n</urlset>\n"
    )
    headers = None
    if latest:  # the file's last change, as Django's view sends it (a time repeated at the
        # end of summer time is read as its first occurrence)
        changed = timezone.make_aware(datetime.fromisoformat(latest))
        headers = {"Last-Modified": http_date(changed.timestamp())}
    return HttpResponse(xml, content_type="application/xml", headers=headers)
