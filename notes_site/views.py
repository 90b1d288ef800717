import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.html import escape

logger = logging.getLogger(__name__)


def server_error(request, template_name="500.html"):
    """The 500 page with the request id, so a reader's report can be matched to the log line.

    Plain context, no context processors, no database: this must work when everything else fails.
    A lost database (raised outside a view, see DatabaseUnavailableMiddleware) gets the 503 page.
    """
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    request_id = getattr(request, "id", None) or "-"
    try:
        body = loader.get_template(template_name).render({"request_id": request_id})
    except Exception:
        logger.exception("The 500 page could not be rendered")
        body = (
            "<!doctype html><title>500 Server error</title><h1>500 Server error</h1>"
            f"<p>Reference: <code>{escape(request_id)}</code></p>"
        )
    return HttpResponseServerError(body)


def is_database_outage(exception):
    """True for the errors of an unreachable or restarting database server."""
    return isinstance(exception, OperationalError | InterfaceError)


def database_unavailable(request, template_name="503.html"):
    """The 503 page for a database outage: no database, no context processors, never cached."""
    request_id = getattr(request, "id", None) or "-"
    retry_after = settings.DATABASE_RETRY_AFTER
    try:
        body = loader.get_template(template_name).render(
            {"request_id": request_id, "retry_after": retry_after}
        )
    except Exception:
        logger.exception("The 503 page could not be rendered")
        body = (
            "<!doctype html><title>503 Service unavailable</title><h1>503 Service unavailable</h1>"
            f"<p>Reference: <code>{escape(request_id)}</code></p>"
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
