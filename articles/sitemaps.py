"""sitemap.xml: published notes, categories and tags that have published notes, with lastmod."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Category
from articles.selectors import per_category

# Article.last_revised_at in SQL (published notes always have published_at).
LAST_REVISED = Greatest(Coalesce("revised_at", "published_at"), "published_at")


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    limit = 10_000  # URLs per file (the protocol allows 50,000): each file stays quick to build

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "revised_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return article.last_revised_at

    def get_latest_lastmod(self):
        # Django's default walks every item; one aggregate instead (for the sitemap index).
        return Article.objects.published().aggregate(latest=Max(LAST_REVISED))["latest"]


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        # lastmod from published notes only: a draft's edit time is not public.
        return (
            Category.objects.annotate(last_updated=per_category(Max(LAST_REVISED)))
            .filter(last_updated__isnull=False)
            .order_by("position", "name")
        )

    def lastmod(self, category):
        return category.last_updated


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        published_with_tag = Article.objects.published().filter(tags=OuterRef("pk"))
        return Tag.objects.filter(Exists(published_with_tag)).order_by("name")

    def location(self, tag):
        return reverse("feeds:tag_detail", kwargs={"slug": tag.slug})


SITEMAPS = {"articles": ArticleSitemap, "categories": CategorySitemap, "tags": TagSitemap}
