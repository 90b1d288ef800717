"""Production settings: DEBUG off, required configuration enforced, HTTPS-only cookies and HSTS."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, LOGGING, env

# base.py has already read them (and the ENV_FILE): here they must be set, not defaulted.
_REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")
_missing = [name for name in _REQUIRED if not os.environ.get(name)]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: " + ", ".join(_missing)
    )

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer (network partition) must not hold a worker for long.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )

if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis down or slow: cache misses after a short wait, never an error (see the module).
    CACHES["default"]["BACKEND"] = "notes_site.cache_backends.DegradingRedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
        "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
        "RETRY_AFTER": env.float("CACHE_RETRY_AFTER", default=1.0),
        **CACHES["default"].get("OPTIONS", {}),
    }

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers and orchestrators probe health over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/"]
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preload-list submission is hard to undo, so it is an operator opt-in rather than a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Review notifications are the only mail; without a mail server (EMAIL_URL unset) they go to
# the log (the console backend) and the review panel and waiting list show everything anyway.
# Django 6.1's deploy check calls that an error; it stays one as soon as EMAIL_URL is set.
if "EMAIL_URL" not in os.environ:
    SILENCED_SYSTEM_CHECKS.append("mail.E001")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    **LOGGING,
    "handlers": {"console": {**LOGGING["handlers"]["console"], "formatter": LOG_FORMAT}},
    "loggers": {
        **LOGGING["loggers"],
        # Scanners send junk Host headers all day: a 400 is the answer, not an error traceback.
        "django.security.DisallowedHost": {"level": "CRITICAL", "propagate": True},
    },
}
