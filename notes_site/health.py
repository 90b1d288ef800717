"""Health endpoints: liveness never touches the database; readiness checks it."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def liveness(request):
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


def database_is_reachable() -> bool:
    """Run a trivial query; any database error means not ready."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


@never_cache
@require_GET
def readiness(request):
    """Ready to take traffic only when the database answers (503 otherwise)."""
    if database_is_reachable():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
