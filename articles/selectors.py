"""Read-side queries that span models, used by the reader views."""

from django.db.models import Count, OuterRef, Subquery

from articles.models import Article


def per_category(aggregate):
    """``aggregate`` over each category's published notes, as a subquery to annotate with."""
    return Subquery(
        Article.objects.published()
        .filter(category=OuterRef("pk"))
        .order_by()
        .values("category")
        .annotate(value=aggregate)
        .values("value")
    )


def related_articles(article, limit=4):
    """Published notes sharing the most tags with `article`, most shared first, then newest.

    One query: tags are matched through taggit's generic relation and counted per note.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return []
    return list(
        Article.objects.published()
        .exclude(pk=article.pk)
        .filter(tags__in=tag_ids)
        .annotate(shared_tags=Count("pk"))
        .order_by("-shared_tags", "-published_at")[:limit]
    )


def first_publication_after(moment):
    """The earliest publication time after ``moment`` among notes set to be published.

    Notes become public when that time comes (see ``ArticleQuerySet.published``), with no save:
    the page cache starts a new generation then. One index range scan.
    """
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=moment)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
