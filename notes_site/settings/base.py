"""Base settings: safe development defaults, everything overridable from the environment.

The embedded SQLite database is the default; set ``DATABASE_URL`` to use PostgreSQL.
"""

import os
from datetime import timedelta
from pathlib import Path

import django
import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# The dotenv file read at start-up (the compose stack's `.env` by default). bin/serve and bin/test
# set ENV_FILE empty, so that a production `.env` never reaches development or the tests.
_env_file = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    environ.Env.read_env(_env_file, overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # The search index's SearchVectorField (Django 6.1 checks for this app, whatever the database).
    "django.contrib.postgres",
    "taggit",
    "markdownx",
    "csp",
    "axes",
    # Revisions of notes (history, diff, restore, recover deleted): articles/revisions.py.
    "reversion",
    "articles",
    "feeds",
    "search",
    "series",
    "review",
    "editorial",
    "transfer",
    # backup / restore management commands.
    "ops",
    # The page cache (pagecache/): last, so its receivers run after search indexing.
    "pagecache",
]

MIDDLEWARE = [
    "notes_site.middleware.RequestIdMiddleware",
    # Right after the request id: a cached page is served with the security and CSP headers
    # stored with it, skipping everything below and the database (pagecache/middleware.py).
    "pagecache.middleware.PageCacheMiddleware",
    # A view that lost the database answers 503 with Retry-After (process_exception only).
    "notes_site.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit trail knows the request (user, IP, request id) and records refused ones (403).
    "editorial.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "notes_site.urls"
WSGI_APPLICATION = "notes_site.wsgi.application"

TEMPLATES = [
    # The reader's pages (notes_site/jinja2.py); a name it does not have falls through to Django's
    # engine: the admin's templates, the emails, the 500 and 503 pages.
    {
        "BACKEND": "notes_site.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "notes_site.jinja2.environment",
            "context_processors": ["articles.context_processors.site"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's cost of a random read, per connection. PostgreSQL's default (4) assumes
    # spinning disks: it then scans instead of reading search phrases through the GIN index
    # (bench/README.md: p95 271 ms against 78 ms at 100,000 notes). 1.1 suits SSDs.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c random_page_cost=" + env.str(
        "PG_RANDOM_PAGE_COST", default="1.1"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: a locked-out login stops there, before any password hasher runs.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
# Our own strings' translations (English msgids; the catalog is compiled by bin/setup).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # KaTeX's CSS and fonts, installed by npm from package.json: served as our own files.
    ("katex", BASE_DIR / "node_modules" / "katex" / "dist"),
    # The note editor's bundle, built from frontend/editor by `npm run build` (bin/setup).
    ("editor", BASE_DIR / "frontend" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded media on S3-compatible object storage (django-storages), for several web servers:
# set the bucket to switch it on. Credentials come the way boto3 finds them (AWS_ACCESS_KEY_ID
# and AWS_SECRET_ACCESS_KEY, or the instance's role). Images are still served at MEDIA_URL by
# articles.uploads.serve_image, so note bodies and the CSP never name the bucket.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            "file_overwrite": False,
            "default_acl": None,
        },
    }

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# The Retry-After (seconds) of the 503 page readers get while the database is unreachable.
DATABASE_RETRY_AFTER = env.int("DATABASE_RETRY_AFTER", default=5)

ADMIN_URL = env.str("ADMIN_URL", default="admin/")

# --- Content-Security-Policy (django-csp): on everywhere, so tests see production's policy ---
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Server-rendered KaTeX positions glyphs with inline style attributes; scripts stay strict.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- django-axes: admin login brute-force lockout ---
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Per username and IP together: an attacker elsewhere cannot lock the author out of their own IP.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock lasts the cool-off time from the lockout, not from the latest locked attempt.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# No start-up banner on every manage.py run; lockouts are still logged.
AXES_VERBOSE = False
# Behind reverse proxies every client has the nearest proxy's address: set AXES_PROXY_COUNT to
# the number of proxies in front of the app (1 for one nginx) so the client comes from
# X-Forwarded-For. django-ipware counts only the proxies listed in that header (all but the
# nearest) and ignores a header with more entries, so a client cannot forge its way into
# another client's lockout bucket.
_AXES_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
if _AXES_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = _AXES_PROXY_COUNT - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# --- Site settings (editorial) ---
SITE_TITLE = env.str("SITE_TITLE", default="notes_site")
SITE_TAGLINE = env.str("SITE_TAGLINE", default="INCOMING TRANSMISSION")
SITE_DESCRIPTION = env.str(
    "SITE_DESCRIPTION", default="强化学习、生成模型、大语言模型与机器学习系统的技术笔记"
)
PAGE_SIZE = env.int("PAGE_SIZE", default=10)
SUMMARY_LENGTH = env.int("SUMMARY_LENGTH", default=350)
FEED_ITEMS = env.int("FEED_ITEMS", default=20)
# Feed readers may reuse a feed this many seconds without asking again.
FEED_CACHE_MAX_AGE = env.int("FEED_CACHE_MAX_AGE", default=300)
# The domain in feed item ids (tag:DOMAIN,DATE:/notes/PK). Empty: the request's host. Set it
# in production so ids survive a change of domain (readers would show every note again).
FEED_TAG_AUTHORITY = env.str("FEED_TAG_AUTHORITY", default="")
# Search: longer queries are cut to this many characters; snippets are about this long.
SEARCH_MAX_QUERY_LENGTH = env.int("SEARCH_MAX_QUERY_LENGTH", default=200)
SEARCH_SNIPPET_LENGTH = env.int("SEARCH_SNIPPET_LENGTH", default=160)
# A results page lists at most this many notes, the best ones (bounds the work per search).
SEARCH_MAX_RESULTS = env.int("SEARCH_MAX_RESULTS", default=1000)
# Load the Chinese segmenter's dictionary at start-up (when off: at the first search or save).
SEARCH_WARM_UP = env.bool("SEARCH_WARM_UP", default=True)
# Rendering limits: a note's body (characters; a form error above it), KaTeX's time for all of
# one note's formulas and for one formula (seconds), and the V8 heap (MB) of one KaTeX call.
BODY_MAX_LENGTH = env.int("BODY_MAX_LENGTH", default=200_000)
RENDER_TIMEOUT = env.float("RENDER_TIMEOUT", default=10.0)
RENDER_FORMULA_TIMEOUT = env.float("RENDER_FORMULA_TIMEOUT", default=1.0)
RENDER_MAX_MEMORY_MB = env.int("RENDER_MAX_MEMORY_MB", default=256)

# --- Review and preview links (review/) ---
# Review notifications go through Django's email backend: EMAIL_URL (django-environ) gives
# the backend and server, e.g. smtp+tls://user:password@smtp.example.com:587; the default
# prints each message on the console (development).
_email = env.email_url("EMAIL_URL", default="consolemail://")
if django.VERSION >= (6, 1):
    # Django 6.1 replaces EMAIL_BACKEND and the EMAIL_* server settings with MAILERS.
    _options = {
        option: _email[setting]
        for setting, option in [
            ("EMAIL_HOST", "host"),
            ("EMAIL_PORT", "port"),
            ("EMAIL_HOST_USER", "username"),
            ("EMAIL_HOST_PASSWORD", "password"),
            ("EMAIL_USE_TLS", "use_tls"),
            ("EMAIL_USE_SSL", "use_ssl"),
            ("EMAIL_TIMEOUT", "timeout"),
            ("EMAIL_FILE_PATH", "file_path"),
        ]
        if _email.get(setting) not in (None, "")
    }
    MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _options}}
else:
    vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="notes@localhost")
# A shareable draft preview link works this many days unless its creator picks another term.
PREVIEW_LINK_MAX_AGE_DAYS = env.int("PREVIEW_LINK_MAX_AGE_DAYS", default=7)

# --- Page cache and HTTP caching (pagecache/) ---
# Anonymous pages and feeds from the cache named PAGE_CACHE_ALIAS (Redis in production), each
# kept at most PAGE_CACHE_TIMEOUT seconds (a bound for when an invalidation cannot reach Redis).
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=600)
# Each worker also keeps the pages it served last in its own memory, up to this many bytes (0:
# off); the generation is still read from the shared cache on every request (pagecache/local.py).
PAGE_CACHE_LOCAL_MAX_BYTES = env.int("PAGE_CACHE_LOCAL_MAX_BYTES", default=32 * 1024 * 1024)
# What pages the cache does not hold still share (the sidebar's counts, a note's related notes),
# kept per generation in the same cache (pagecache/fragments.py).
FRAGMENT_CACHE_ENABLED = env.bool("FRAGMENT_CACHE_ENABLED", default=PAGE_CACHE_ENABLED)
# Cache-Control of HTML pages: browsers, shared caches (CDN, proxy), serving stale meanwhile.
HTTP_CACHE_MAX_AGE = env.int("HTTP_CACHE_MAX_AGE", default=60)
HTTP_CACHE_S_MAXAGE = env.int("HTTP_CACHE_S_MAXAGE", default=300)
HTTP_CACHE_STALE_WHILE_REVALIDATE = env.int("HTTP_CACHE_STALE_WHILE_REVALIDATE", default=60)
# Purge hook (off when empty): a URL template with {path}, requested after commit per path.
PAGE_CACHE_PURGE_URL = env.str("PAGE_CACHE_PURGE_URL", default="")
PAGE_CACHE_PURGE_METHOD = env.str("PAGE_CACHE_PURGE_METHOD", default="PURGE")
PAGE_CACHE_PURGE_TIMEOUT = env.float("PAGE_CACHE_PURGE_TIMEOUT", default=3.0)
# List pages stop at this page (deeper pages are 404): OFFSET and COUNT grow with the depth.
STREAM_MAX_PAGES = env.int("STREAM_MAX_PAGES", default=100)

# --- django-taggit ---
TAGGIT_CASE_INSENSITIVE = True
TAGGIT_TAGS_FROM_STRING = "articles.tagging.parse_tags"

# --- django-markdownx ---
# The renderer with the uploaded images' sizes and variants (articles.images), plus the
# editor's source lines (articles.widgets.desk_preview).
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.widgets.desk_preview"
MARKDOWNX_URLS_PATH = "/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/markdownx/upload/"
MARKDOWNX_MEDIA_PATH = "markdownx/"
# Editor image uploads (articles/uploads.py): a bigger request body is refused unread; the
# format is what Pillow detects, one of these types; width × height × frames is capped.
MARKDOWNX_UPLOAD_MAX_SIZE = env.int("UPLOAD_MAX_SIZE", default=10 * 1024 * 1024)
# A contributor's (a writer who cannot publish) cap per image (articles/markdownx_urls.py).
CONTRIBUTOR_UPLOAD_MAX_BYTES = env.int("CONTRIBUTOR_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024)
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
MARKDOWNX_UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
# Form fields (a note's Markdown) may take this much memory; uploaded files bigger than
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, removed at the end of the request.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MARKDOWNX_SERVER_CALL_LATENCY = 400

# One line per record on stdout, each with the request id (notes_site.middleware).
# LOG_FORMAT=json gives JSON lines (the production default), "text" is for people.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "notes_site.middleware.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Drops Django's own console handler (stderr, DEBUG only): Django's records reach ours.
    "loggers": {"django": {"level": "INFO"}},
}
