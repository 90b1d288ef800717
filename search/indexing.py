"""Keeping the search index in step with the notes.

Every write path ends here: a note saved (``index_articles``: the whole document), its tags,
its category or a tag renamed (``refresh_labels``: the tag/category part only). Signal handlers
(connected in ``ArticlesConfig.ready``) schedule the work with ``transaction.on_commit`` so it
runs after the write has committed, never for a write that rolled back. A note's deletion
removes its document by cascade (and, on SQLite, the FTS5 row by trigger).
"""

import logging
from functools import partial

from django.contrib.postgres.search import SearchVector
from django.db import connections, router, transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete
from taggit.models import Tag

from articles import rendering
from articles.models import Article, Category
from search import segmenter
from search.models import SearchDocument

logger = logging.getLogger(__name__)

_DOCUMENT_FIELDS = ["title_tokens", "tags_tokens", "body_tokens", "labels", "plain_text"]
_LABEL_FIELDS = ["tags_tokens", "labels"]


def body_plain_text(body):
    """The note's Markdown as plain text: markup removed, formulas kept as written."""
    return rendering.markdown_plain_text(body)


def _labels(article):
    names = [tag.name for tag in article.tags.all()]
    return " ".join([*names, article.category.name])


def build_document(article, plain=None):
    """An unsaved SearchDocument for ``article`` (tags prefetched, category selected);
    ``plain`` is its body's plain text when the caller has it from the render."""
    labels = _labels(article)
    plain = body_plain_text(article.body) if plain is None else plain
    return SearchDocument(
        article_id=article.pk,
        title_tokens=segmenter.segment(article.title),
        tags_tokens=segmenter.segment(labels),
        body_tokens=segmenter.segment(plain),
        labels=labels,
        plain_text=plain,
    )


def _articles(ids):
    return (
        Article.objects.filter(pk__in=ids)
        .select_related("category")
        .prefetch_related("tags")
        .only("pk", "title", "body", "category__name")
    )


def _update_vectors(ids, using):
    """PostgreSQL: recompute the weighted tsvector from the stored token columns."""
    if connections[using].vendor != "postgresql":
        return
    vector = (
        SearchVector("title_tokens", weight="A", config="simple")
        + SearchVector("tags_tokens", weight="B", config="simple")
        + SearchVector("body_tokens", weight="C", config="simple")
    )
    heading_vector = SearchVector("title_tokens", "tags_tokens", config="simple")
    documents = SearchDocument.objects.using(using)
    (documents.filter(pk__in=ids) if ids is not None else documents).update(
        vector=vector, heading_vector=heading_vector
    )


def index_articles(ids, plain_texts=None):
    """Write (or rewrite) the whole search document of each note in ``ids``; ``plain_texts``
    ({pk: body plain text}, from the render at save time) spares parsing those bodies again."""
    ids = list(ids)
    plain_texts = plain_texts or {}
    using = router.db_for_write(SearchDocument)
    documents = [
        build_document(article, plain_texts.get(article.pk))
        for article in _articles(ids).using(using)
    ]
    with transaction.atomic(using=using):
        SearchDocument.objects.using(using).bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=_DOCUMENT_FIELDS,
        )
        _update_vectors([document.article_id for document in documents], using)
    return len(documents)


def refresh_labels(ids):
    """Rewrite only the tag/category part of the documents of ``ids`` (bodies unchanged)."""
    ids = list(ids)
    using = router.db_for_write(SearchDocument)
    existing = set(
        SearchDocument.objects.using(using).filter(pk__in=ids).values_list("pk", flat=True)
    )
    documents = []
    missing = []
    for article in _articles(ids).using(using).only("pk", "category__name"):
        if article.pk not in existing:
            missing.append(article.pk)
            continue
        labels = _labels(article)
        documents.append(
            SearchDocument(
                article_id=article.pk, tags_tokens=segmenter.segment(labels), labels=labels
            )
        )
    with transaction.atomic(using=using):
        SearchDocument.objects.using(using).bulk_update(documents, _LABEL_FIELDS, batch_size=500)
        _update_vectors([document.article_id for document in documents], using)
    if missing:
        index_articles(missing)


def rebuild(batch_size=500, progress=None):
    """Index every note from scratch, in batches; returns the number of documents written."""
    using = router.db_for_write(SearchDocument)
    ids = list(Article.objects.using(using).order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(ids), batch_size):
        written += index_articles(ids[start : start + batch_size])
        if progress:
            progress(written, len(ids))
    return written


# --------------------------------------------------------------------------- signals


def _after_commit(function, ids, using):
    ids = set(ids)
    if ids:
        transaction.on_commit(partial(function, ids), using=using, robust=True)


def _article_saved(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    if not raw:
        # Article.render() left the saved body's plain text on the instance.
        carried = hasattr(instance, "plain_text") and (
            update_fields is None or "body" in update_fields
        )
        plain_texts = {instance.pk: instance.plain_text} if carried else None
        _after_commit(partial(index_articles, plain_texts=plain_texts), [instance.pk], using)


def _tags_changed(sender, instance, action, using=None, **kwargs):
    # django-taggit sends these from the note's side only (``reverse`` is always False).
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Article):
        _after_commit(refresh_labels, [instance.pk], using)


def _tagged_article_ids(tag):
    return list(Article.objects.filter(tags=tag).values_list("pk", flat=True))


def _tag_saved(sender, instance, created, raw=False, using=None, **kwargs):
    if not raw and not created:
        _after_commit(refresh_labels, _tagged_article_ids(instance), using)


def _tag_deleting(sender, instance, using=None, **kwargs):
    _after_commit(refresh_labels, _tagged_article_ids(instance), using)


def _category_saved(sender, instance, created, raw=False, using=None, **kwargs):
    if not raw and not created:
        ids = Article.objects.filter(category=instance).values_list("pk", flat=True)
        _after_commit(refresh_labels, ids, using)


def connect_signals():
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search_article_saved")
    m2m_changed.connect(
        _tags_changed, sender=Article.tags.through, dispatch_uid="search_tags_changed"
    )
    post_save.connect(_tag_saved, sender=Tag, dispatch_uid="search_tag_saved")
    pre_delete.connect(_tag_deleting, sender=Tag, dispatch_uid="search_tag_deleting")
    post_save.connect(_category_saved, sender=Category, dispatch_uid="search_category_saved")
