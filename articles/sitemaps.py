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
        # The index carries no lastmod for this section (it is optional): Django's default
        # walks every note, an aggregate reads them all (2 s at 100,000 notes). Each URL in the
        # section's files has its own.
        return None


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        # lastmod from published notes only: a draft's edit time is not public.
        # Which categories by EXISTS: the paginator's COUNT then skips the per-category
        # aggregates (they read every note; they run once, for the file itself).
        published_in_category = Article.objects.published().filter(category=OuterRef("pk"))
        return (
            Category.objects.filter(Exists(published_in_category))
            .annotate(last_updated=per_category(Max(LAST_REVISED)))
            .order_by("position", "name")
        )

    def lastmod(self, category):
        return category.last_updated

    def get_latest_lastmod(self):
        return None  # as for the notes: the per-category aggregates read every note


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        published_with_tag = Article.objects.published().filter(tags=OuterRef("pk"))
        return Tag.objects.filter(Exists(published_with_tag)).order_by("name")

    def location(self, tag):
        return reverse("feeds:tag_detail", kwargs={"slug": tag.slug})


SITEMAPS = {"articles": ArticleSitemap, "categories": CategorySitemap, "tags": TagSitemap}
