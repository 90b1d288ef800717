from dataclasses import dataclass

from django.db.models import Count, prefetch_related_objects
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.text import Truncator
from django.views.generic import DetailView, ListView

from articles.models import Article, Category
from articles.selectors import neighbour, per_category, related_articles
from pagecache.fragments import memoize
from series.selectors import series_nav

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


@dataclass(frozen=True)
class NoteParts:
    """What a note's page shows besides its body that is the same for every request until a
    change: kept per note for the current generation (``pagecache.fragments``)."""

    description: str  # the summary, cut for the meta tags
    tags: list  # [(name, URL)], for the meta tags
    series: dict | None  # {"title", "url"} of the note's series, for the breadcrumbs
    header: str  # rendered HTML: the note's header (dates, tags) and its series' parts
    after_body: str  # rendered HTML: the series' previous/next, previous/next, related notes


def note_parts(article):
    """The NoteParts of ``article``: 5 queries (tags, series, neighbours, related notes)."""
    prefetch_related_objects([article], "tags")
    tags = [
        (tag.name, reverse("feeds:tag_detail", kwargs={"slug": tag.slug}))
        for tag in article.tags.all()
    ]
    nav = series_nav(article)
    context = {
        "article": article,
        "tags": tags,
        "nav": nav,
        "previous_article": neighbour(article, newer=False),
        "next_article": neighbour(article, newer=True),
        "related_articles": related_articles(article),
    }
    return NoteParts(
        description=Truncator(article.summary_text).chars(200),
        tags=tags,
        series={"title": nav.series.title, "url": nav.series.get_absolute_url()} if nav else None,
        header=render_to_string("articles/_note_header.html", context),
        after_body=render_to_string("articles/_note_links.html", context),
    )


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
            parts=memoize(f"note:{article.pk}", lambda: note_parts(article)),
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
