"""What makes cached pages stale: every write that a page or a feed can show.

A note saved (published, unpublished, edited, restored) or deleted, its tags changed, a tag or
a category created, edited, renamed or deleted, an author's name changed: each starts a new
generation after commit (never for a write that rolled back), then the purge hook, if set, is
told the paths that changed. The settings the pages show are part of every key instead
(``generation.fingerprint``), and scheduled notes need no write (``generation.current``).
Receivers are connected after the search app's, so a search page is never cached in the new
generation from the old index.
"""

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from taggit.models import Tag

from articles.models import Article, Category
from articles.signals import articles_rewritten
from pagecache import generation, purge

logger = logging.getLogger(__name__)

# An author's login moves last_login: nothing a page shows.
_UNSHOWN_USER_FIELDS = frozenset({"last_login", "password"})


def invalidate_after_commit(paths=(), using=None):
    transaction.on_commit(partial(_invalidate_now, tuple(paths)), using=using, robust=True)


def _invalidate_now(paths):
    try:
        generation.bump()
    except Exception as error:  # the cache is down: the backend logs the outage itself
        logger.warning(
            "Page cache generation not moved (%r): this process retries before its next "
            "page; others may serve cached pages for up to PAGE_CACHE_TIMEOUT seconds",
            error,
        )
    if paths and purge.enabled():
        purge.send_in_background(paths)


def _article_loaded(sender, instance, raw=False, **kwargs):
    # The old URLs are purged too (a new slug, another category); read only when purging.
    if purge.enabled() and instance.pk and not raw:
        instance._pagecache_old_paths = purge.article_paths_in_database(instance.pk)


def _article_changed(sender, instance, using=None, **kwargs):
    paths = []
    if purge.enabled():
        paths = [*getattr(instance, "_pagecache_old_paths", []), *purge.article_paths(instance)]
    invalidate_after_commit(paths, using)


def _tags_changed(sender, instance, action, pk_set=None, using=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    paths = []
    if purge.enabled() and isinstance(instance, Article):
        paths = purge.article_paths(instance)
        for tag in Tag.objects.filter(pk__in=pk_set or ()):
            paths += purge.tag_paths(tag)
    invalidate_after_commit(paths, using)


def _tag_changed(sender, instance, using=None, **kwargs):
    invalidate_after_commit(purge.tag_paths(instance) if purge.enabled() else (), using)


def _category_changed(sender, instance, using=None, **kwargs):
    invalidate_after_commit(purge.category_paths(instance) if purge.enabled() else (), using)


def _user_saved(sender, instance, update_fields=None, using=None, **kwargs):
    if update_fields and set(update_fields) <= _UNSHOWN_USER_FIELDS:
        return
    invalidate_after_commit(purge.site_paths() if purge.enabled() else (), using)


def _articles_rewritten(sender, **kwargs):
    invalidate_after_commit()


def connect_signals():
    uid = "pagecache_"
    pre_save.connect(_article_loaded, sender=Article, dispatch_uid=uid + "article_loaded")
    post_save.connect(_article_changed, sender=Article, dispatch_uid=uid + "article_saved")
    post_delete.connect(_article_changed, sender=Article, dispatch_uid=uid + "article_deleted")
    m2m_changed.connect(_tags_changed, sender=Article.tags.through, dispatch_uid=uid + "tags")
    post_save.connect(_tag_changed, sender=Tag, dispatch_uid=uid + "tag_saved")
    post_delete.connect(_tag_changed, sender=Tag, dispatch_uid=uid + "tag_deleted")
    post_save.connect(_category_changed, sender=Category, dispatch_uid=uid + "category_saved")
    post_delete.connect(_category_changed, sender=Category, dispatch_uid=uid + "category_deleted")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid=uid + "user_saved")
    articles_rewritten.connect(_articles_rewritten, dispatch_uid=uid + "articles_rewritten")
