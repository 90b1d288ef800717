"""The pages that show the update stream as cards: home, category, tag and archives, and the
archive index (years and months with counts)."""

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.views.generic import ListView, MonthArchiveView, TemplateView, YearArchiveView
from taggit.models import Tag

from articles.models import Category
from feeds.archives import archive_years
from feeds.cards import cards
from feeds.pagination import CappedPaginator
from feeds.stream import update_stream
from pagecache.fragments import memoize


@dataclass(frozen=True)
class Scope:
    """A category or a tag as its page shows it, kept for the generation: plain data."""

    pk: int
    name: str
    slug: str
    description: str = ""


def kept_scope(model, slug, *fields):
    """The category or tag of ``slug`` (one query once per generation), else a 404."""

    def find():
        row = model.objects.filter(slug=slug).values("pk", "name", "slug", *fields).first()
        if row is None:
            raise Http404(f"No {model._meta.verbose_name} {slug!r}")  # nothing kept
        return Scope(**row)

    return memoize(f"scope:{model._meta.label_lower}:{slug}", find)


class StreamMixin:
    """Shared by every list of cards: the stream builder, the date field, the page size, and
    the page's notes as cards (``articles``; ``object_list`` stays the page's queryset)."""

    date_field = "published_at"
    context_object_name = "articles"
    paginator_class = CappedPaginator

    def get_paginate_by(self, queryset):
        return settings.PAGE_SIZE

    def get_stream(self):
        return update_stream()

    def get_queryset(self):
        return self.get_stream()

    def get_paginator(self, *args, **kwargs):
        # One path, one stream (the views read no other parameter): its count, kept.
        count_name = f"stream-count:{self.request.path_info}"
        return super().get_paginator(*args, count_name=count_name, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.context_object_name] = cards(context["object_list"])
        return context


class HomeView(StreamMixin, ListView):
    template_name = "feeds/home.html"


class CategoryDetailView(StreamMixin, ListView):
    template_name = "feeds/category_detail.html"

    def get_stream(self):
        self.category = kept_scope(Category, self.kwargs["slug"], "description")
        return update_stream(category=self.category.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class TagDetailView(StreamMixin, ListView):
    template_name = "feeds/tag_detail.html"

    def get_stream(self):
        self.tag = kept_scope(Tag, self.kwargs["slug"])
        return update_stream(tag=self.tag.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class ArticleYearArchiveView(StreamMixin, YearArchiveView):
    make_object_list = True
    template_name = "feeds/archive_year.html"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The year's months, a scan of its notes: kept for the generation.
        months = super().get_date_list
        name = f"archive-months:{self.get_year()}"
        return memoize(name, lambda: list(months(queryset, date_type, ordering)))

    # The page links no neighbouring year: no query for one (each read a note).
    def get_next_year(self, date):
        return None

    def get_previous_year(self, date):
        return None


class ArticleMonthArchiveView(StreamMixin, MonthArchiveView):
    month_format = "%m"
    template_name = "feeds/archive_month.html"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        return None  # the page lists no days: no scan of the month's notes for them

    def get_next_month(self, date):
        return None  # as the year's: not linked, not queried

    def get_previous_month(self, date):
        return None


class ArchiveIndexView(TemplateView):
    template_name = "feeds/archive_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(archive_years=archive_years(), **kwargs)
