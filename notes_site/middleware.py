"""Request ids: one id per request, in the response, on the request and on every log record."""

import contextvars
import logging
import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from a proxy or client are kept when they look like ids (UUIDs, hex, nginx's
# $request_id); anything else is replaced, so log lines and pages never carry arbitrary text.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

logger = logging.getLogger(__name__)

current_request_id = contextvars.ContextVar("request_id", default=None)


def make_request_id():
    return uuid.uuid4().hex


def accepted_request_id(value):
    """The incoming id if it is sane, else None."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return None


class RequestIdMiddleware:
    """Sets ``request.id`` and the ``X-Request-ID`` response header; put it first in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER)
        request.id = accepted_request_id(incoming) or make_request_id()
        token = current_request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` ("-" outside a request); attach it to handlers."""

    def filter(self, record):
        record.request_id = current_request_id.get() or "-"
        return True


class DatabaseUnavailableMiddleware:
    """Answers a view that lost the database with the 503 page instead of a 500 traceback.

    An ``OperationalError`` or ``InterfaceError`` (server down, restarting, connection cut)
    is an outage, not a bug: the reader gets ``notes_site.views.database_unavailable``, with
    ``Retry-After``. Errors raised outside views (a middleware) reach ``handler500``, which
    tells the two apart the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Imported here: the logging configuration imports this module before Django is set up.
        from notes_site.views import database_unavailable, is_database_outage

        if not is_database_outage(exception):
            return None
        first_line = next(iter(str(exception).strip().splitlines()), "")
        logger.warning(
            "Database unavailable, 503 for %s %s: %s %s",
            request.method,
            request.path,
            type(exception).__name__,
            first_line,
        )
        return database_unavailable(request)
