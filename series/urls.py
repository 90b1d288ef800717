"""Series pages; their feeds are with the other feeds (feeds/urls.py, ``feeds:series_rss``...)."""

from django.urls import path

from series import views

app_name = "series"

urlpatterns = [
    path("series/", views.SeriesIndexView.as_view(), name="index"),
    path("series/<uslug:slug>/", views.SeriesDetailView.as_view(), name="detail"),
]
