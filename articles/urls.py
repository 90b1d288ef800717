from django.urls import path, register_converter

from articles import views
from articles.converters import (
    FourDigitYearConverter,
    TwoDigitMonthConverter,
    UnicodeSlugConverter,
)
from articles.search.views import SearchView

register_converter(UnicodeSlugConverter, "uslug")
register_converter(FourDigitYearConverter, "yyyy")
register_converter(TwoDigitMonthConverter, "mm")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
    path("categories/<uslug:slug>/", views.CategoryDetailView.as_view(), name="category_detail"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("search/", SearchView.as_view(), name="search"),
    path("archive/<yyyy:year>/", views.ArticleYearArchiveView.as_view(), name="archive_year"),
    path(
        "archive/<yyyy:year>/<mm:month>/",
        views.ArticleMonthArchiveView.as_view(),
        name="archive_month",
    ),
]
