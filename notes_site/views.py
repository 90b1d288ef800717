import logging

from django.http import HttpResponseServerError
from django.template import loader
from django.utils.html import escape

logger = logging.getLogger(__name__)


def server_error(request, template_name="500.html"):
    """The 500 page with the request id, so a reader's report can be matched to the log line.

    Plain context, no context processors, no database: this must work when everything else fails.
    """
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
