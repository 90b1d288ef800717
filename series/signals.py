"""A series or its membership changed: cached pages that show it (note pages, series pages and
feeds, the sidebar) go stale, through the page cache's own invalidation (a new generation
after commit, and the purge hook told the paths when one is set)."""

from django.db.models.signals import post_delete, post_save

from pagecache import purge
from pagecache.invalidation import invalidate_after_commit
from series.models import Series, SeriesPart


def _series_changed(sender, instance, using=None, **kwargs):
    paths = []
    if purge.enabled():
        parts = SeriesPart.objects.filter(series_id=instance.pk).select_related("article")
        paths = purge.series_paths(instance, [part.article.get_absolute_url() for part in parts])
    invalidate_after_commit(paths, using)


def _part_changed(sender, instance, using=None, **kwargs):
    paths = []
    if purge.enabled():
        paths = purge.series_paths(instance.series, [instance.article.get_absolute_url()])
    invalidate_after_commit(paths, using)


def connect_signals():
    uid = "series_pagecache_"
    post_save.connect(_series_changed, sender=Series, dispatch_uid=uid + "series_saved")
    post_delete.connect(_series_changed, sender=Series, dispatch_uid=uid + "series_deleted")
    post_save.connect(_part_changed, sender=SeriesPart, dispatch_uid=uid + "part_saved")
    post_delete.connect(_part_changed, sender=SeriesPart, dispatch_uid=uid + "part_deleted")
