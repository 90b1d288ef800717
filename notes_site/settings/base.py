"""Base settings: safe development defaults, everything overridable from the environment.

The embedded SQLite database is the default; set ``DATABASE_URL`` to use PostgreSQL.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

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
    "taggit",
    "markdownx",
    "articles",
    "feeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "notes_site.urls"
WSGI_APPLICATION = "notes_site.wsgi.application"

TEMPLATES = [
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # KaTeX's CSS and fonts, installed by npm from package.json: served as our own files.
    ("katex", BASE_DIR / "node_modules" / "katex" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

ADMIN_URL = env.str("ADMIN_URL", default="admin/")

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
# Load the Chinese segmenter's dictionary when the app starts (off: on the first search/save).
SEARCH_WARM_UP = env.bool("SEARCH_WARM_UP", default=True)

# --- django-taggit ---
TAGGIT_CASE_INSENSITIVE = True
TAGGIT_TAGS_FROM_STRING = "articles.tagging.parse_tags"

# --- django-markdownx ---
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.rendering.render_preview"
MARKDOWNX_URLS_PATH = "/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/markdownx/upload/"
MARKDOWNX_MEDIA_PATH = "markdownx/"
MARKDOWNX_UPLOAD_MAX_SIZE = env.int("UPLOAD_MAX_SIZE", default=10 * 1024 * 1024)
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
MARKDOWNX_SERVER_CALL_LATENCY = 400

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
