"""Read-side queries that span models, used by the reader views."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from taggit.models import TaggedItem

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
LINK_COLUMNS = ("title", "title_html", "slug", "published_at")
RELATED_CANDIDATES = 200


def related_articles(article, limit=4, candidates=RELATED_CANDIDATES):
    """Published notes sharing the most tags with `article`, most shared first, then newest.

    One query over narrow rows. The candidates are the ``candidates`` newest published notes
    that share a tag (read along the stream's index); each is scored by counting its shared
    tags. Grouping every note that shares a common tag cost 500 ms at 100,000 notes; this
    costs ~17 ms, and gives the same list whenever fewer notes than ``candidates`` share a tag.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return []
    shared = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Article),
        tag_id__in=tag_ids,
        object_id=OuterRef("pk"),
    )
    newest_sharing = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .filter(Exists(shared))
        .order_by("-published_at", "-pk")
        .values("pk")[:candidates]
    )
    shared_count = shared.order_by().values("object_id").annotate(n=Count("pk")).values("n")
    return list(
        Article.objects.filter(pk__in=newest_sharing)
        .only(*LINK_COLUMNS)
        .annotate(shared_tags=Subquery(shared_count, output_field=IntegerField()))
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
