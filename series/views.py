"""The reader pages of series: the index and one series' parts in reading order."""

from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from feeds.views import StreamMixin
from series.models import Series
from series.selectors import public_series, series_parts


class SeriesIndexView(ListView):
    template_name = "series/series_index.html"
    context_object_name = "series_list"

    def get_queryset(self):
        return public_series()


class SeriesDetailView(StreamMixin, ListView):
    template_name = "series/series_detail.html"

    def get_stream(self):
        self.series = get_object_or_404(Series, slug=self.kwargs["slug"])
        return series_parts(self.series)

    def get_context_data(self, **kwargs):
        return super().get_context_data(series=self.series, **kwargs)
