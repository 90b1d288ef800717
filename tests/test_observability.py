"""Observability: request ids, the 500 page and its log line, JSON logs in production."""

import io
import json
import logging
import subprocess
import sys
from unittest import mock

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver, path

from notes_site import urls as site_urls
from notes_site.middleware import RequestIdFilter
from notes_site.views import server_error
from tests.test_production import ROOT, _production_env

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


# URLconf for the 500 tests: the site's URLs plus a view that fails, and the site's handler500.
urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500


# --- Request ids ---


def test_every_response_gets_a_new_request_id(client):
    first = client.get("/")["X-Request-ID"]
    second = client.get("/")["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get("/", headers={"X-Request-ID": "edge-7f3a9c0e.1:2"})
    assert response["X-Request-ID"] == "edge-7f3a9c0e.1:2"


@pytest.mark.parametrize(
    "incoming", ["", "a" * 65, "<script>", "id with spaces", "id\u00e9", "-leading-dash"]
)
def test_other_incoming_request_ids_are_replaced(client, incoming):
    response = client.get("/", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


@pytest.fixture
def console_log():
    """The site's configured stdout handler, writing into a buffer for the test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in h.filters)
    )
    buffer = io.StringIO()
    stream = handler.setStream(buffer)
    yield buffer
    handler.setStream(stream)


@pytest.mark.urls(__name__)
def test_500_page_and_log_line_share_the_request_id(console_log):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert f'Reference: <code class="request-id">{request_id}</code>' in response.content.decode()
    error_lines = [line for line in console_log.getvalue().splitlines() if "ERROR" in line]
    assert len(error_lines) == 1
    assert f"[{request_id}]" in error_lines[0]
    assert "Internal Server Error: /boom/" in error_lines[0]
    assert "RuntimeError: boom" in console_log.getvalue()


def test_the_site_uses_the_request_id_500_handler():
    assert get_resolver().resolve_error_handler(500) is server_error


def test_500_page_needs_no_database_and_survives_a_broken_template(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.id = "abc123"
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "abc123" in response.content.decode()
    with mock.patch("notes_site.views.loader.get_template", side_effect=Exception("broken")):
        response = server_error(request)
    assert response.status_code == 500
    assert "Reference: <code>abc123</code>" in response.content.decode()


def test_production_logs_json_lines_with_the_request_id():
    script = (
        "import logging, django; django.setup()\n"
        "from notes_site.middleware import current_request_id\n"
        "current_request_id.set('req-42')\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    logging.getLogger('django.request').exception('Internal Server Error: /x/')\n"
        "logging.getLogger('notes_site').info('second line')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    error = next(r for r in records if r["logger"] == "django.request")
    assert error["level"] == "ERROR"
    assert error["request_id"] == "req-42"
    assert error["time"].endswith("+00:00")
    assert "ZeroDivisionError" in error["exc_info"]
    assert any(r["message"] == "second line" for r in records)
