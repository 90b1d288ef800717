from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.views.generic import ListView

from pagecache.fragments import memoize
from search.forms import SearchForm
from search.query import parse
from search.selectors import public_search
from search.snippets import results_html
from series.selectors import series_choices


class KnownCountPaginator(Paginator):
    """A paginator told its count (by a cheaper query than COUNT over the ranked list)."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self):
        return self._count()


class SearchView(ListView):
    """``/search/?q=…&category=…&tag=…&series=…``: ranked public notes with highlighted snippets.

    Nothing a reader types leads to an error page: a malformed filter is ignored, and a page
    number out of range or not a number shows the nearest page.
    """

    template_name = "search/results.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.PAGE_SIZE

    def get_queryset(self):
        self.form = SearchForm(self.request.GET)
        self.parsed = parse(self.form.query_text())
        category_slug, tag_slug, series_slug = self.form.filters()
        self.search = public_search(
            self.parsed, category_slug=category_slug, tag_slug=tag_slug, series_slug=series_slug
        )
        return self.search.results

    def get_paginator(self, queryset, per_page, **kwargs):
        return KnownCountPaginator(queryset, per_page, count=self.search.count, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        words = self.parsed.highlight_words
        articles = context["object_list"]
        # Titles and snippets: formulas typeset (one batch), the words marked around them.
        titles, snippets = results_html(
            [article.title for article in articles],
            [article.search_document.plain_text for article in articles],
            words,
        )
        for article, title, snippet in zip(articles, titles, snippets, strict=True):
            article.search_title = title
            article.search_snippet = snippet
        return {
            **context,
            "search_query": self.parsed.text,
            "parsed_query": self.parsed,
            "category": self.search.category,
            "tag": self.search.tag,
            "series": self.search.series,
            # An aggregate over every series' parts, the same for every query.
            "series_choices": memoize("search:series_choices", series_choices),
            "result_count": context["paginator"].count if context["paginator"] else 0,
            "result_limit": self.search.limit,
        }
