from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("articles/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
]
