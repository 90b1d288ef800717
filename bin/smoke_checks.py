"""HTTP checks of a running production server (stdlib only); bin/smoke runs them.

    python bin/smoke_checks.py http://127.0.0.1:8765 --forwarded-proto https
    python bin/smoke_checks.py https://notes.example.com

Prints one PASS/FAIL line per check and the home page's response headers; exits 1 on any failure.
With --forwarded-proto https every request carries X-Forwarded-Proto, as a TLS proxy would send
it, so the checks see the headers an HTTPS client gets.
"""

import argparse
import gzip
import http.client
import json
import re
import sys
import uuid
from urllib.parse import urljoin, urlsplit

# A hashed name from ManifestStaticFilesStorage: name.0123456789ab.ext
HASHED = r"\.[0-9a-f]{12}\."
HSTS_MIN_SECONDS = 15_768_000  # six months
SAFE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
IMMUTABLE = "max-age=315360000, public, immutable"


class Checker:
    def __init__(self, base_url, forwarded_proto=None, host=None):
        parts = urlsplit(base_url)
        self.scheme = parts.scheme
        self.netloc = parts.netloc
        self.host = host or parts.netloc
        self.forwarded_proto = forwarded_proto
        self.failures = 0

    def get(self, path, headers=None, forwarded=True):
        """One GET without following redirects: (status, headers, body bytes)."""
        connection_class = (
            http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(self.netloc, timeout=30)
        sent = {"Host": self.host, "User-Agent": "notes-site-smoke"}
        if forwarded and self.forwarded_proto:
            sent["X-Forwarded-Proto"] = self.forwarded_proto
        sent.update(headers or {})
        try:
            connection.request("GET", path, headers=sent)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def check(self, name, ok, detail=""):
        print(f"{'PASS' if ok else 'FAIL'}  {name}{f'  ({detail})' if detail else ''}")
        if not ok:
            self.failures += 1
        return ok


def csp_directives(policy):
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def check_security_headers(c, headers):
    hsts = headers.get("Strict-Transport-Security", "")
    match = re.search(r"max-age=(\d+)", hsts)
    c.check(
        "HSTS max-age >= 6 months",
        bool(match) and int(match.group(1)) >= HSTS_MIN_SECONDS,
        hsts or "missing",
    )
    c.check(
        "X-Content-Type-Options: nosniff",
        headers.get("X-Content-Type-Options") == "nosniff",
        headers.get("X-Content-Type-Options", "missing"),
    )
    referrer = headers.get("Referrer-Policy", "")
    c.check(
        "Referrer-Policy is strict",
        bool(referrer) and set(referrer.replace(",", " ").split()) <= SAFE_REFERRER_POLICIES,
        referrer or "missing",
    )
    policy = headers.get("Content-Security-Policy", "")
    directives = csp_directives(policy)
    scripts = directives.get("script-src", directives.get("default-src"))
    c.check(
        "CSP script-src without 'unsafe-inline' / 'unsafe-eval'",
        scripts is not None and not {"'unsafe-inline'", "'unsafe-eval'"} & set(scripts),
        " ".join(scripts) if scripts is not None else "no CSP script-src or default-src",
    )
    c.check(
        "CSP frame-ancestors 'none'",
        directives.get("frame-ancestors") == ["'none'"],
        " ".join(directives.get("frame-ancestors", ["missing"])),
    )
    c.check(
        "Cross-Origin-Opener-Policy set",
        bool(headers.get("Cross-Origin-Opener-Policy")),
        headers.get("Cross-Origin-Opener-Policy", "missing"),
    )


def no_cookie(c, label, headers):
    cookies = headers.get_all("Set-Cookie") or []
    c.check(f"{label}: no Set-Cookie", not cookies, "; ".join(cookies))


def stylesheet(html, name):
    """The URL of a linked stylesheet whose path contains `name`, or None."""
    match = re.search(rf'href="([^"]*{re.escape(name)}[^"]*\.css)"', html)
    return match.group(1) if match else None


def check_static(c, url, label):
    """A hashed static file: far-future immutable caching, compressed when asked."""
    status, headers, body = c.get(url, {"Accept-Encoding": "gzip"})
    c.check(f"{label}: hashed name", bool(re.search(HASHED, url)), url)
    c.check(f"{label}: 200", status == 200, str(status))
    c.check(
        f"{label}: Cache-Control immutable",
        headers.get("Cache-Control") == IMMUTABLE,
        headers.get("Cache-Control", "missing"),
    )
    gzipped = headers.get("Content-Encoding") == "gzip"
    c.check(f"{label}: gzip when asked", gzipped, headers.get("Content-Encoding", "none"))
    text = gzip.decompress(body).decode() if gzipped else ""
    status, headers, _ = c.get(url, {"Accept-Encoding": "br"})
    c.check(
        f"{label}: brotli when asked",
        headers.get("Content-Encoding") == "br",
        headers.get("Content-Encoding", "none"),
    )
    return text


def run(c, admin_url):
    status, headers, body = c.get("/healthz/live")
    c.check("liveness 200", status == 200, str(status))
    status, headers, body = c.get("/healthz/ready")
    ready = status == 200 and json.loads(body).get("database") == "ok"
    c.check("readiness 200, database ok", ready, f"{status} {body.decode()}")
    no_cookie(c, "readiness", headers)

    status, headers, body = c.get("/")
    html = body.decode()
    c.check("home 200", status == 200, str(status))
    c.check("home is HTML", headers.get_content_type() == "text/html")
    print("----- home page response headers")
    for name, value in headers.items():
        print(f"  {name}: {value}")
    print("-----")
    check_security_headers(c, headers)
    no_cookie(c, "home", headers)

    articles = re.findall(r'href="(/articles/[^"/]+/)"', html)
    if c.check("home lists a note", bool(articles)):
        status, headers, body = c.get(articles[0])
        c.check(f"note page 200 {articles[0]}", status == 200, str(status))
        c.check("note page has typeset math", b'class="katex' in body)
        no_cookie(c, "note page", headers)

    site_css = stylesheet(html, "css/site")
    if c.check("home links the site stylesheet", bool(site_css), site_css or "missing"):
        check_static(c, site_css, "site.css")
        unhashed = re.sub(HASHED, ".", site_css)
        status, headers, _ = c.get(unhashed)
        c.check(
            "unhashed site.css is not cached as immutable",
            status == 200 and "immutable" not in headers.get("Cache-Control", ""),
            f"{status} {headers.get('Cache-Control', 'no Cache-Control')}",
        )
    katex_css = stylesheet(html, "katex/katex.min")
    if c.check("home links KaTeX's stylesheet", bool(katex_css), katex_css or "missing"):
        css = check_static(c, katex_css, "katex.min.css")
        fonts = re.findall(r"url\([\"']?(fonts/KaTeX_[^)\"']+\.woff2)", css)
        if c.check("KaTeX CSS points at hashed fonts", bool(fonts) and re.search(HASHED, fonts[0])):
            status, headers, _ = c.get(urljoin(katex_css, fonts[0]))
            c.check(
                "KaTeX font 200, immutable",
                status == 200 and headers.get("Cache-Control") == IMMUTABLE,
                f"{status} {headers.get('Cache-Control')}",
            )

    status, headers, body = c.get("/feeds/rss/")
    c.check("RSS feed 200", status == 200, str(status))
    c.check(
        "RSS feed is application/rss+xml",
        headers.get_content_type() == "application/rss+xml",
        headers.get("Content-Type", ""),
    )
    c.check("RSS feed has an item", b"<item>" in body)
    no_cookie(c, "RSS feed", headers)

    login = f"/{admin_url.strip('/')}/login/"
    status, headers, body = c.get(login)
    c.check(f"admin login page 200 {login}", status == 200, str(status))
    c.check("admin login form has a CSRF token", b"csrfmiddlewaretoken" in body)
    cookies = headers.get_all("Set-Cookie") or []
    c.check(
        "admin cookies are Secure",
        all("secure" in cookie.lower() for cookie in cookies),
        "; ".join(cookies) or "no cookie",
    )

    missing = f"/no-such-page-{uuid.uuid4().hex[:8]}/"
    status, headers, body = c.get(missing)
    page = body.decode()
    c.check("unknown page 404", status == 404, str(status))
    c.check(
        "404 page in the site's look",
        "SIGNAL LOST" in page and stylesheet(page, "css/site") == site_css,
    )
    no_cookie(c, "404 page", headers)

    status, _, _ = c.get("/", {"Host": "evil.example"})
    c.check("unknown Host header 400", status == 400, str(status))

    if c.forwarded_proto:
        status, headers, _ = c.get("/", forwarded=False)
        location = headers.get("Location", "")
        c.check(
            "plain HTTP redirects to HTTPS",
            status == 301 and location.startswith("https://"),
            f"{status} {location}",
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument(
        "--forwarded-proto", help="send X-Forwarded-Proto with this value (as a TLS proxy would)"
    )
    parser.add_argument("--host", help="Host header (default: from the URL)")
    parser.add_argument("--admin-url", default="admin/", help="the ADMIN_URL setting")
    args = parser.parse_args()
    c = Checker(args.base_url, args.forwarded_proto, args.host)
    run(c, args.admin_url)
    print(f"smoke: {c.failures} check(s) FAILED" if c.failures else "smoke: all checks passed")
    sys.exit(1 if c.failures else 0)


if __name__ == "__main__":
    main()
