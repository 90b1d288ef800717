"""The stream's pages (home, category, tag, archives) and its RSS, Atom and JSON feeds (the
site's, a category's, a tag's, a series'; the series' own pages are in series/urls.py)."""

from django.urls import path

from feeds import views
from feeds.feeds import CategoryFeed, SeriesFeed, StreamFeed, TagFeed
from feeds.generators import AtomFeed, JsonFeed, RssFeed

app_name = "feeds"

FORMATS = {"rss": RssFeed, "atom": AtomFeed, "json": JsonFeed}

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("categories/<uslug:slug>/", views.CategoryDetailView.as_view(), name="category_detail"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive_index"),
    path("archive/<yyyy:year>/", views.ArticleYearArchiveView.as_view(), name="archive_year"),
    path(
        "archive/<yyyy:year>/<mm:month>/",
        views.ArticleMonthArchiveView.as_view(),
        name="archive_month",
    ),
    *(
        path(f"feeds/{name}/", StreamFeed(generator), name=name)
        for name, generator in FORMATS.items()
    ),
    *(
        path(
            f"feeds/categories/<uslug:slug>/{name}/",
            CategoryFeed(generator),
            name=f"category_{name}",
        )
        for name, generator in FORMATS.items()
    ),
    *(
        path(f"feeds/tags/<uslug:slug>/{name}/", TagFeed(generator), name=f"tag_{name}")
        for name, generator in FORMATS.items()
    ),
    *(
        path(
            f"feeds/series/<uslug:slug>/{name}/",
            SeriesFeed(generator),
            name=f"series_{name}",
        )
        for name, generator in FORMATS.items()
    ),
]
