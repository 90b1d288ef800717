"""Makes the request known to the audit trail, and records the 403s logged-in users get."""

from editorial import audit


class AuditMiddleware:
    """After AuthenticationMiddleware. A view may set ``request.audit_reason`` for its 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.current_request.set(request)
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if response.status_code == 403 and user is not None and user.is_authenticated:
                audit.forbidden(request)
        finally:
            audit.current_request.reset(token)
        return response
