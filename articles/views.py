from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView

from articles.models import Article, Category
from articles.selectors import per_category

# What the note page shows of the note: its rendered body, not the Markdown or the feed's renders.
NOTE_COLUMNS = (
    "title",
    "title_html",
    "title_text",
    "slug",
    "status",
    "published_at",
    "revised_at",
    "summary_text",
    "toc_html",
    "body_html",
    "reading_minutes",
    "category__name",
    "category__slug",
)


class CategoryListView(ListView):
    template_name = "articles/category_list.html"
    context_object_name = "categories"

    def get_queryset(self):
        return Category.objects.annotate(article_count=per_category(Count("pk")))


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.select_related("category").only(*NOTE_COLUMNS)

    def get_object(self, queryset=None):
        # The user is looked at only when no published note matches: reading request.user
        # touches the session, which makes the response vary on Cookie (uncacheable).
        queryset = self.get_queryset() if queryset is None else queryset
        try:
            return super().get_object(queryset.published())
        except Http404:
            return super().get_object(queryset.visible_to(self.request.user))

    def get_context_data(self, **kwargs):
        article = self.object
        return super().get_context_data(
            is_preview=not article.is_published(),
            canonical_url=self.request.build_absolute_uri(article.get_absolute_url()),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            # Staff looking at a draft or a scheduled note: never cached, never indexed.
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex"
        return response


def robots_txt(request):
    """robots.txt pointing crawlers at the sitemap, with an absolute URL from the request."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")
