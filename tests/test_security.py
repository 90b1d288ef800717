"""Security headers, CSP, cookie-free public pages."""

import runpy

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory
from tests.test_production import PROD_ENV

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"

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
