"""``reverse()`` once per URL: the pages print the same few hundred URLs again and again.

``cached_reverse(viewname, **kwargs)`` equals ``reverse(viewname, kwargs=kwargs)``; the script
prefix, the one thing ``reverse()`` reads besides its arguments here (no per-request urlconf,
no ``i18n_patterns``), is part of the key.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


def cached_reverse(viewname, **kwargs):
    return _reverse(viewname, get_script_prefix(), tuple(sorted(kwargs.items())))


@lru_cache(maxsize=16_384)
def _reverse(viewname, script_prefix, kwargs):
    return reverse(viewname, kwargs=dict(kwargs))


@receiver(setting_changed, dispatch_uid="cached_urls")
def _forget(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()
