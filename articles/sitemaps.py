"""sitemap.xml: published notes, categories and tags that have published notes, with lastmod."""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.functional import cached_property
from taggit.models import Tag

from articles.models import Article, Category
from articles.selectors import per_category
from pagecache.fragments import memoize

# Article.last_revised_at in SQL (published notes always have published_at).
LAST_REVISED = Greatest(Coalesce("revised_at", "published_at"), "published_at")


class KeptCountPaginator(Paginator):
    """The count is kept for the generation under ``count_name``."""

    def __init__(self, object_list, per_page, *, count_name, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_name = count_name

    @cached_property
    def count(self):
        return memoize(self.count_name, self.object_list.count)


class _ItemsWhenRead:
    """A section's items, built when a page of them is read (the index reads only the count):
    the categories' and series' querysets, with their aggregates, take milliseconds to build."""

    ordered = True  # every section orders its items

    def __init__(self, items):
        self._items = items

    @cached_property
    def items(self):
        return self._items()

    def count(self):
        return self.items.count()

    def __getitem__(self, key):
        return self.items[key]


class KeptCountSitemap(Sitemap):
    """A section whose size is kept for the generation: the index counts every section to list
    its files, each file counts its own to check its page number, and the count reads every
    published note."""

    @property
    def paginator(self):
        name = f"sitemap:{type(self).__name__}"
        return KeptCountPaginator(_ItemsWhenRead(self._items), self.limit, count_name=name)


class ArticleSitemap(KeptCountSitemap):
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


class CategorySitemap(KeptCountSitemap):
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


class TagSitemap(KeptCountSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        published_with_tag = Article.objects.published().filter(tags=OuterRef("pk"))
        return Tag.objects.filter(Exists(published_with_tag)).order_by("name")

    def location(self, tag):
        return reverse("feeds:tag_detail", kwargs={"slug": tag.slug})


SITEMAPS = {"articles": ArticleSitemap, "categories": CategorySitemap, "tags": TagSitemap}
