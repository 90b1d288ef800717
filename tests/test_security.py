"""Security headers, CSP, cookie-free public pages, the admin login lockout, request ids."""

import io
import json
import logging
import runpy
import subprocess
import sys
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from bs4 import BeautifulSoup
from django.contrib.auth.hashers import get_hasher
from django.test import Client, RequestFactory
from django.urls import get_resolver, path, reverse
from django.utils import timezone

from notes_site import urls as site_urls
from notes_site.middleware import RequestIdFilter
from notes_site.settings import base as base_settings
from notes_site.views import server_error
from tests.factories import ArticleFactory, StaffFactory
from tests.test_production import PROD_ENV, ROOT, _production_env

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _boom(request):
    raise RuntimeError("boom")


# URLconf for the 500 tests: the site's URLs plus a view that fails, and the site's handler500.
urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500


# --- Headers under the production settings ---

# What production.py decides about headers and cookies; DATABASES and the rest stay as in tests.
_HEADER_SETTINGS = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "X_FRAME_", "CONTENT_SECURITY_")


@pytest.fixture
def production_headers(settings, monkeypatch):
    for name, value in PROD_ENV.items():
        monkeypatch.setenv(name, value)
    production = runpy.run_module("notes_site.settings.production")
    for name, value in production.items():
        if name.startswith(_HEADER_SETTINGS):
            setattr(settings, name, value)
    settings.DEBUG = False
    return settings


def test_production_sends_the_security_headers(production_headers, article):
    response = Client().get(article.get_absolute_url(), secure=True)
    assert response.status_code == 200
    hsts = dict(
        part.strip().partition("=")[::2]
        for part in response["Strict-Transport-Security"].split(";")
    )
    assert int(hsts["max-age"]) >= 183 * 24 * 3600
    assert "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_production_redirects_plain_http_to_https(production_headers, article):
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_production_answers_health_probes_over_plain_http(production_headers):
    assert Client().get("/healthz/live").status_code == 200
    assert Client().get("/healthz/ready").status_code == 200


def test_production_cookies_are_secure_httponly_and_samesite(production_headers, staff):
    client = Client(enforce_csrf_checks=True)
    login_url = reverse("admin:login")
    client.get(login_url, secure=True)
    csrf = client.cookies["csrftoken"]
    response = client.post(
        login_url,
        {"username": staff.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        secure=True,
        headers={"Referer": f"https://testserver{login_url}"},
    )
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name] if name in response.cookies else client.cookies[name]
        assert cookie["secure"], name
        assert cookie["httponly"], name
        assert cookie["samesite"] == "Lax", name


# --- Content-Security-Policy ---


def _csp(response):
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("url", ["/", "/categories/", "/no-such-page/"])
def test_csp_is_strict_for_scripts(client, url):
    csp = _csp(client.get(url))
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["font-src"] == ["'self'"]
    # Inline styles are allowed for KaTeX's server-rendered math, and nothing else is loosened.
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert not any(
        "unsafe" in source
        for name, sources in csp.items()
        if name != "style-src"
        for source in sources
    )


def test_admin_is_under_the_same_policy(staff_client):
    response = staff_client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 200
    assert _csp(response)["script-src"] == ["'self'"]


def _inline_script_problems(html):
    soup = BeautifulSoup(html, "html.parser")
    problems = [str(tag)[:80] for tag in soup.find_all("script") if not tag.get("src")]
    for tag in soup.find_all(True):
        for attr, value in tag.attrs.items():
            if attr.startswith("on"):
                problems.append(f"<{tag.name} {attr}=...>")
            if attr in ("href", "src", "action", "formaction") and str(
                value
            ).strip().lower().startswith("javascript:"):
                problems.append(f"<{tag.name} {attr}={value}>")
    return problems


def test_pages_and_the_admin_editor_need_no_inline_script(client, staff, article):
    urls = ["/", article.get_absolute_url(), "/categories/", "/search/?q=注意力", "/nope/"]
    for url in urls:
        assert _inline_script_problems(client.get(url).content.decode()) == [], url
    client.force_login(staff)
    admin_urls = [
        reverse("admin:index"),
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_changelist"),
    ]
    for url in admin_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _inline_script_problems(response.content.decode()) == [], url


# --- Anonymous pages: no cookie, no Vary: Cookie ---


def _public_urls(article):
    when = timezone.localtime(article.published_at)
    category = article.category.slug
    return [
        "/",
        "/?page=1",
        article.get_absolute_url(),
        "/categories/",
        article.category.get_absolute_url(),
        reverse("feeds:tag_detail", kwargs={"slug": "注意力"}),
        reverse("feeds:archive_year", kwargs={"year": when.year}),
        reverse("feeds:archive_month", kwargs={"year": when.year, "month": when.month}),
        "/search/?q=注意力",
        "/search/?q=",
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/json/",
        f"/feeds/categories/{category}/rss/",
        reverse("sitemap"),
        reverse("robots_txt"),
        "/no-such-page/",
    ]


def test_anonymous_pages_set_no_cookie_and_do_not_vary_on_it(client, article):
    for url in _public_urls(article):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert not response.cookies, url
        assert "Set-Cookie" not in response, url
        assert "cookie" not in response.get("Vary", "").lower(), url


def test_staff_still_preview_drafts(client, staff):
    draft = ArticleFactory(title="草稿预览", slug="draft-preview", draft=True)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "草稿预览" in response.content.decode()
    # The answer depends on who asks: caches must keep it apart and never store it.
    assert "Cookie" in response["Vary"]
    assert "no-store" in response["Cache-Control"]


# --- Admin login lockout (django-axes) ---


def test_admin_path_comes_from_admin_url():
    script = "from django.urls import reverse; print(reverse('admin:login'))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=_production_env(ADMIN_URL="backstage-7f3a/"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("/backstage-7f3a/login/")


def _login(client, username, password, ip="203.0.113.5"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def _logged_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def author():
    return StaffFactory(username="author")


def test_five_failures_lock_the_username_and_ip_with_a_429_page(client, author):
    for _ in range(4):
        assert _login(client, "author", "wrong").status_code == 200
    locked = _login(client, "author", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "TOO MANY ATTEMPTS" in page
    assert "30 分钟" in page
    # The right password does not help while locked.
    assert _login(client, "author", PASSWORD).status_code == 429
    assert not _logged_in(client)


def test_lock_is_per_username_and_ip(client, author):
    StaffFactory(username="colleague")
    for _ in range(5):
        _login(client, "author", "wrong")
    assert _login(client, "colleague", PASSWORD).status_code == 302
    other = Client()
    assert _login(other, "author", PASSWORD, ip="198.51.100.7").status_code == 302
    assert _logged_in(other)


def test_success_resets_the_count(client, author):
    for _ in range(4):
        _login(client, "author", "wrong")
    assert _login(client, "author", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "author", "wrong").status_code == 200
    assert _login(client, "author", PASSWORD).status_code == 302


def test_lock_lasts_thirty_minutes(client, author):
    for _ in range(5):
        _login(client, "author", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert _login(client, "author", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert _login(client, "author", PASSWORD).status_code == 302


@pytest.fixture
def behind_one_proxy(settings, monkeypatch):
    """The axes settings that base.py derives from AXES_PROXY_COUNT=1."""
    monkeypatch.setenv("AXES_PROXY_COUNT", "1")
    base = runpy.run_path(base_settings.__file__)
    for name, value in base.items():
        if name.startswith("AXES_IPWARE_"):
            setattr(settings, name, value)


def _login_via_proxy(client, password, forwarded_for):
    return client.post(
        reverse("admin:login"),
        {"username": "author", "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_clients_are_told_apart_by_x_forwarded_for(behind_one_proxy, author):
    for _ in range(5):
        locked = _login_via_proxy(Client(), "wrong", "198.51.100.1")
    assert locked.status_code == 429
    assert _login_via_proxy(Client(), PASSWORD, "198.51.100.2").status_code == 302


def test_behind_a_proxy_a_forged_x_forwarded_for_locks_no_one_else(behind_one_proxy, author):
    # The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended the real address.
    for _ in range(5):
        _login_via_proxy(Client(), "wrong", "198.51.100.1, 203.0.113.66")
    assert _login_via_proxy(Client(), PASSWORD, "198.51.100.1").status_code == 302


def _counting_hasher():
    hasher = type(get_hasher())
    verify = mock.patch.object(hasher, "verify", autospec=True, side_effect=hasher.verify)
    encode = mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode)
    return verify, encode


def test_locked_attempts_never_run_the_password_hasher(client, author):
    verify, encode = _counting_hasher()
    with verify as verify_calls, encode as encode_calls:
        _login(client, "author", "wrong")
        _login(client, "nobody", "wrong")
        # Unlocked attempts do hash: for a known user (verify) and an unknown one (encode).
        assert verify_calls.call_count == 1
        assert encode_calls.call_count >= 1
    for _ in range(4):
        _login(client, "author", "wrong")
    with verify as verify_calls, encode as encode_calls:
        assert _login(client, "author", PASSWORD).status_code == 429
        assert _login(client, "author", "wrong").status_code == 429
        assert verify_calls.call_count == 0
        assert encode_calls.call_count == 0


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
