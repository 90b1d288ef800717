import pytest
from django.core.cache import cache
from django.core.signals import request_started
from django.utils import translation

from tests.factories import ArticleFactory, StaffFactory


def _english(**kwargs):
    translation.activate("en")


@pytest.fixture(autouse=True)
def english():
    """Tests read our strings as written, the English msgids, whatever the catalog says: English
    in the test's thread and in every request's (the live server's too). tests/test_translations.py
    checks the Chinese of locale/ and overrides this fixture (a fixture of the same name)."""
    request_started.connect(_english, dispatch_uid="tests-english")
    try:
        with translation.override("en"):
            yield
    finally:
        request_started.disconnect(dispatch_uid="tests-english")


@pytest.fixture
def staff(db):
    return StaffFactory(username="editor")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def article(db):
    return ArticleFactory(title="注意力机制概述", slug="注意力机制", tags=["Transformer", "注意力"])


@pytest.fixture
def hidden_articles(db):
    """A draft and a scheduled note: they must appear on no public surface."""
    return [
        ArticleFactory(title="HIDDEN-DRAFT 草稿", slug="hidden-draft", draft=True, tags=["注意力"]),
        ArticleFactory(
            title="HIDDEN-SCHEDULED 定时", slug="hidden-scheduled", scheduled=True, tags=["注意力"]
        ),
    ]


@pytest.fixture
def media_root(settings, tmp_path):
    """A MEDIA_ROOT of the test's own (uploads, imports and backups write there)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run a change's on-commit work (invalidation, indexing) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def page_cache(settings, db):
    """The page cache and the fragment cache on (tests run with them off), starting empty."""
    settings.PAGE_CACHE_ENABLED = True
    settings.FRAGMENT_CACHE_ENABLED = True
    cache.clear()
