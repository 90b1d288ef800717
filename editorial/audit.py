"""The audit trail: the one place that writes AuditEntry rows.

Sources, all connected in editorial/apps.py:

- the admin's own LogEntry (every form save, and our bulk actions, restores and recoveries,
  which call ``log_change``/``log_addition``): additions and changes with their message;
- ``post_delete`` of the audited models during a request: deletions, one by one also when a
  bulk delete logs them with a single ``bulk_create`` (which sends no signal);
- editorial.middleware: every 403 answered to a logged-in user (a forbidden attempt);
- auth's login/logout signals and django-axes' ``user_locked_out``;
- direct calls to ``record`` (imports, reassigning notes).

Who, from which IP (resolved as django-axes does, behind the proxy rules of the settings) and
the request id come from the request being served (``current_request``).
"""

import contextvars

from axes.helpers import get_client_ip_address
from django.contrib.contenttypes.models import ContentType

from editorial.models import AuditEntry

Action = AuditEntry.Action
current_request = contextvars.ContextVar("audit_request", default=None)

# Models whose deletions are recorded (any model of these apps: all of them).
AUDITED_MODELS = {"articles.article", "articles.category", "taggit.tag", "auth.user", "auth.group"}
AUDITED_APPS = {"series", "review"}


def is_audited(model):
    return model._meta.label_lower in AUDITED_MODELS or model._meta.app_label in AUDITED_APPS


def client_ip(request):
    return get_client_ip_address(request) if request is not None else None


def record(action, *, request=None, user=None, obj=None, summary="", username=None, ip=None):
    """Write one entry; ``request`` defaults to the one being served, ``user`` to its user."""
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    entry = AuditEntry(
        action=action,
        user=user,
        username=username if username is not None else (user.get_username() if user else ""),
        summary=summary,
        ip_address=ip if ip is not None else client_ip(request),
        request_id=(getattr(request, "id", "") or "")[:64],
        path=request.get_full_path()[:300] if request is not None else "",
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry


def forbidden(request, reason=""):
    """A 403 answered to a logged-in user: what was asked, and why if the view said."""
    reason = reason or getattr(request, "audit_reason", "")
    summary = f"{request.method} {request.path}" + (f": {reason}" if reason else "")
    return record(Action.FORBIDDEN, request=request, summary=summary)


# --- Signal receivers (connected in editorial/apps.py) ---

_LOG_ACTIONS = {1: Action.ADDITION, 2: Action.CHANGE}


def on_log_entry(sender, instance, created, raw=False, **kwargs):
    """The admin logged an addition or a change (deletions come from post_delete)."""
    action = _LOG_ACTIONS.get(instance.action_flag)
    if not created or raw or action is None:
        return
    entry = record(action, user=instance.user, summary=instance.get_change_message())
    entry.content_type_id = instance.content_type_id
    entry.object_id, entry.object_repr = instance.object_id or "", instance.object_repr
    entry.save(update_fields=["content_type", "object_id", "object_repr"])


def on_delete(sender, instance, **kwargs):
    request = current_request.get()
    if request is None or not is_audited(sender):
        return
    record(Action.DELETION, request=request, obj=instance, summary=str(instance))


def on_login(sender, request, user, **kwargs):
    record(Action.LOGIN, request=request, user=user)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, request=request, user=user)


def on_lockout(sender, request, username, ip_address, **kwargs):
    record(
        Action.LOCKOUT,
        request=request,
        user=None,
        username=(username or "")[:150],
        ip=ip_address,
        summary="Too many failed logins: locked out.",
    )
