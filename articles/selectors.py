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


# A link to another note shows its title and date, nothing wider.
LINK_COLUMNS = ("title", "slug", "published_at")


def related_articles(article, limit=4):
    """Published notes sharing the most tags with `article`, most shared first, then newest.

    One query over narrow rows: tags are matched through taggit's generic relation and counted
    per note; only the link's columns are read and grouped.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return []
    return list(
        Article.objects.published()
        .exclude(pk=article.pk)
        .filter(tags__in=tag_ids)
        .only(*LINK_COLUMNS)
        .annotate(shared_tags=Count("pk"))
        .order_by("-shared_tags", "-published_at", "-pk")[:limit]
    )


def neighbour(article, *, newer):
    """The previous (older) or next (newer) published note in the stream's order, or None.

    The stream orders by (published_at, id), so notes published at the same moment still
    lead to each other. One index range scan over narrow rows: the range is on the date
    alone (an OR of two ranges is read ten times slower), the tie is filtered. A draft has
    no date yet, so no neighbours.
    """
    when = article.published_at
    if when is None:
        return None
    published = Article.objects.published().only(*LINK_COLUMNS)
    if newer:
        later = published.filter(published_at__gte=when).exclude(
            published_at=when, pk__lte=article.pk
        )
        return later.order_by("published_at", "pk").first()
    earlier = published.filter(published_at__lte=when).exclude(
        published_at=when, pk__gte=article.pk
    )
    return earlier.order_by("-published_at", "-pk").first()


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
