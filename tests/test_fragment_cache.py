"""pagecache.fragments.memoize: a value kept for the current generation, computed again after a
change or a scheduled publication, computed each time when off or when the cache fails."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from pagecache import fragments, generation
from tests.factories import ArticleFactory

pytestmark = pytest.mark.usefixtures("page_cache")


class Counter:
    def __init__(self, value="value"):
        self.calls = 0
        self.value = value

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_kept_value_is_computed_once_per_generation():
    compute = Counter()
    assert fragments.memoize("sidebar", compute) == "value"
    assert fragments.memoize("sidebar", compute) == "value"
    assert compute.calls == 1
    generation.bump()
    assert fragments.memoize("sidebar", compute) == "value"
    assert compute.calls == 2


def test_names_are_kept_apart_and_none_is_kept():
    nothing = Counter(None)
    assert fragments.memoize("related:1", nothing) is None
    assert fragments.memoize("related:1", nothing) is None
    assert nothing.calls == 1
    assert fragments.memoize("related:2", Counter("other")) == "other"


def test_off_means_computed_each_time(settings):
    settings.FRAGMENT_CACHE_ENABLED = False
    compute = Counter()
    fragments.memoize("sidebar", compute)
    fragments.memoize("sidebar", compute)
    assert compute.calls == 2


def test_nothing_is_kept_past_the_next_scheduled_publication(db):
    now = timezone.now()
    ArticleFactory(published_at=now + timedelta(minutes=5))
    generation.bump()
    compute = Counter()
    with time_machine.travel(now, tick=False):
        fragments.memoize("sidebar", compute)
        fragments.memoize("sidebar", compute)
    assert compute.calls == 1
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        fragments.memoize("sidebar", compute)
    assert compute.calls == 2


def test_a_cache_that_is_down_means_computed(settings):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    settings.PAGE_CACHE_ALIAS = "pages"
    compute = Counter()
    assert fragments.memoize("sidebar", compute) == "value"
    assert fragments.memoize("sidebar", compute) == "value"
    assert compute.calls == 2
