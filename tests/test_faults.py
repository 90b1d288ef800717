"""Faults: the 503 page for a lost database, and a cache that degrades when Redis is away."""

import logging
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import RequestFactory, override_settings

from notes_site.cache_backends import CacheUnavailable, DegradingRedisCache
from notes_site.views import server_error
from tests.factories import ArticleFactory


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails the way psycopg fails while PostgreSQL is stopped."""

    def refuse(*args, **kwargs):
        raise OperationalError('connection failed: connection to server at "127.0.0.1" refused')

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    monkeypatch.setattr(CursorWrapper, "executemany", refuse)


# --- 503 for database outages -------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_that_loses_the_database_answers_503_with_retry_after(client, database_down):
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "503" in page and "5 秒后" in page
    assert response["X-Request-ID"] in page
    assert "Traceback" not in page


@pytest.mark.django_db
@override_settings(DATABASE_RETRY_AFTER=12)
def test_retry_after_comes_from_the_settings(client, database_down):
    response = client.get("/search/?q=熵")
    assert response.status_code == 503
    assert response["Retry-After"] == "12"


@pytest.mark.django_db
def test_the_503_is_logged_as_a_warning_without_a_traceback(client, database_down, caplog):
    with caplog.at_level(logging.WARNING, logger="notes_site.middleware"):
        client.get("/")
    [record] = [r for r in caplog.records if r.name == "notes_site.middleware"]
    assert record.levelno == logging.WARNING
    assert "OperationalError" in record.getMessage()
    assert record.exc_info is None


@pytest.mark.django_db
def test_a_note_page_recovers_as_soon_as_the_database_answers(client, monkeypatch):
    note = ArticleFactory(title="恢复测试")
    real_execute = CursorWrapper.execute
    monkeypatch.setattr(
        CursorWrapper, "execute", lambda *a, **k: (_ for _ in ()).throw(InterfaceError("closed"))
    )
    assert client.get(note.get_absolute_url()).status_code == 503
    monkeypatch.setattr(CursorWrapper, "execute", real_execute)
    assert client.get(note.get_absolute_url()).status_code == 200


def test_handler500_tells_an_outage_from_a_bug():
    """Errors raised outside a view (a middleware) reach handler500 with the exception set."""
    request = RequestFactory().get("/")
    request.id = "abc123"
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        outage = server_error(request)
    try:
        raise ValueError("a bug")
    except ValueError:
        bug = server_error(request)
    assert outage.status_code == 503 and outage["Retry-After"] == "5"
    assert bug.status_code == 500 and not bug.has_header("Retry-After")
    assert "abc123" in outage.content.decode() and "abc123" in bug.content.decode()


@pytest.mark.django_db
def test_other_errors_still_answer_500(client, monkeypatch):
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert not response.has_header("Retry-After")


# --- the degrading Redis cache ------------------------------------------------------------


def unreachable_cache(**options):
    """A cache pointed at a closed port on loopback (connection refused at once)."""
    return DegradingRedisCache(
        f"redis://127.0.0.1:{free_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, **options}},
    )


def test_unreachable_redis_reads_as_a_miss_and_writes_do_nothing():
    dead = unreachable_cache()
    assert dead.get("k") is None
    assert dead.get("k", "fallback") == "fallback"
    assert dead.get_many(["a", "b"]) == {}
    assert dead.has_key("k") is False
    assert dead.set("k", 1) is None
    assert dead.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead.add("k", 1) is False
    assert dead.touch("k") is False
    assert dead.delete("k") is False
    assert dead.delete_many(["a"]) is None
    assert dead.clear() is False
    assert dead.get_or_set("k", lambda: "computed") == "computed"


def test_incr_on_unreachable_redis_raises_a_clear_exception():
    dead = unreachable_cache()
    with pytest.raises(CacheUnavailable, match="cannot incr 'generation'"):
        dead.incr("generation")
    with pytest.raises(CacheUnavailable):
        dead.decr("generation")


def test_code_written_for_a_missing_key_degrades_without_redis():
    """Django's incr raises ValueError for a missing key; callers handle that case."""
    dead = unreachable_cache()

    def count_request(cache):  # the usual rate-limit idiom
        cache.add("hits", 0, 60)
        try:
            return cache.incr("hits")
        except ValueError:
            cache.set("hits", 1, 60)
            return 1

    assert count_request(dead) == 1


def test_after_a_failure_redis_is_not_asked_again_for_retry_after_seconds(monkeypatch):
    dead = unreachable_cache(RETRY_AFTER=30)
    dead.get("k")
    assert not dead.is_available()
    calls = []
    monkeypatch.setattr(
        "django.core.cache.backends.redis.RedisCache.get", lambda *a, **k: calls.append(a)
    )
    assert dead.get("k", "x") == "x"
    assert calls == []


def test_an_outage_is_logged_once_not_per_call(caplog):
    dead = unreachable_cache(RETRY_AFTER=0)
    with caplog.at_level(logging.WARNING, logger="notes_site.cache_backends"):
        for _ in range(5):
            dead.get("k")
    messages = [r.getMessage() for r in caplog.records if r.name == "notes_site.cache_backends"]
    assert len(messages) == 1
    assert messages[0].startswith("Cache unavailable (get: ")


def test_a_slow_redis_costs_at_most_the_socket_timeout():
    """A server that accepts and never answers (a hung Redis)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        hung = DegradingRedisCache(
            f"redis://127.0.0.1:{port}/0",
            {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
        )
        started = time.monotonic()
        assert hung.get("k", "miss") == "miss"
        assert time.monotonic() - started < 1.5
        # Inside the back-off window: no wait at all.
        started = time.monotonic()
        assert hung.get("k", "miss") == "miss"
        assert time.monotonic() - started < 0.05


DEAD_REDIS = {
    "default": {
        "BACKEND": "notes_site.cache_backends.DegradingRedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.mark.django_db
@override_settings(CACHES=DEAD_REDIS)
def test_saving_and_reading_notes_without_redis(client, staff_client):
    """The formula cache misses; the note is typeset, stored, indexed and served."""
    note = ArticleFactory(title="没有缓存", body="熵 $H(p) = -\\sum_i p_i \\log p_i$ 的定义。")
    note.refresh_from_db()
    assert "katex" in note.body_html
    assert client.get(note.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/search/?q=没有缓存").status_code == 200
    preview = staff_client.post("/markdownx/markdownify/", {"content": "$x^2$"})
    assert preview.status_code == 200 and "katex" in preview.content.decode()


# --- against a real Redis, stopped and started again --------------------------------------


@pytest.fixture
def redis_server():
    """A private redis-server on a free port (the machine's own Redis is never touched)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()

    def start():
        command = [binary, "--port", str(port), "--bind", "127.0.0.1"]
        process = subprocess.Popen(
            [*command, "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return process
            except OSError:
                time.sleep(0.05)
        process.kill()
        pytest.fail("redis-server did not start")

    server = {"port": port, "start": start, "process": start()}
    yield server
    server["process"].terminate()
    server["process"].wait(10)


def test_the_cache_is_used_again_once_redis_is_back(redis_server):
    live = DegradingRedisCache(
        f"redis://127.0.0.1:{redis_server['port']}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "RETRY_AFTER": 0.2}},
    )
    live.set("formula", "<math/>")
    assert live.get("formula") == "<math/>"
    assert live.add("n", 1) is True
    assert live.incr("n") == 2

    redis_server["process"].terminate()
    redis_server["process"].wait(10)
    assert live.get("formula", "miss") == "miss"
    live.set("formula", "ignored")
    with pytest.raises(CacheUnavailable):
        live.incr("n")

    redis_server["process"] = redis_server["start"]()
    time.sleep(0.25)  # past RETRY_AFTER
    # Redis kept nothing on disk: a miss, then the cache works again.
    assert live.get("formula", "miss") == "miss"
    live.set("formula", "<math/>")
    assert live.get("formula") == "<math/>"
    assert live.is_available()


# --- an upload the storage cannot write ---------------------------------------------------


@pytest.fixture
def disk_full(monkeypatch, tmp_path, settings):
    """The media disk fills up after a part of the file is written (ENOSPC)."""
    import errno

    from django.core.files.storage import FileSystemStorage

    settings.MEDIA_ROOT = tmp_path
    real_save = FileSystemStorage._save

    def save_half(self, name, content):
        path = self.path(name)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(content.read()[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save_half)
    yield tmp_path
    monkeypatch.setattr(FileSystemStorage, "_save", real_save)


def png_bytes():
    from io import BytesIO

    from PIL import Image

    output = BytesIO()
    Image.new("RGB", (40, 30), "teal").save(output, "PNG")
    return output.getvalue()


@pytest.mark.django_db
def test_an_upload_on_a_full_disk_fails_clearly_and_leaves_no_partial_file(staff_client, disk_full):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    response = staff_client.post("/markdownx/upload/", {"image": upload})
    assert response.status_code == 507
    assert response.json() == {"image": ["图片没有保存：服务器存储空间不足，请稍后再试。"]}
    assert [p for p in disk_full.rglob("*") if p.is_file()] == []


def test_production_uses_the_degrading_cache_for_redis():
    """CACHE_URL=redis://... in production: the wrapper, with short socket timeouts."""
    import json
    import os
    import sys

    code = "from django.conf import settings; import json; print(json.dumps(settings.CACHES))"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "notes_site.settings.production",
        "SECRET_KEY": "test-only",
        "ALLOWED_HOSTS": "example.com",
        "DATABASE_URL": "postgres://u@127.0.0.1:1/db",
        "CACHE_URL": "redis://127.0.0.1:6391/0",
    }
    repo = Path(__file__).resolve().parent.parent
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    default = json.loads(output)["default"]
    assert default["BACKEND"] == "notes_site.cache_backends.DegradingRedisCache"
    assert default["LOCATION"] == "redis://127.0.0.1:6391/0"
    assert default["OPTIONS"]["socket_timeout"] == 0.25
    assert default["OPTIONS"]["socket_connect_timeout"] == 0.25
    assert default["OPTIONS"]["RETRY_AFTER"] == 1.0
