"""Request ids: one id per request, in the response, on the request and on every log record."""

import contextvars
import logging
import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from a proxy or client are kept when they look like ids (UUIDs, hex, nginx's
# $request_id); anything else is replaced, so log lines and pages never carry arbitrary text.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

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
