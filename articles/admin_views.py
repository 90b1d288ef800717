"""JSON endpoints of the note editor: autosave and presence heartbeats.

Staff who write notes only (403 otherwise, never a login redirect a script cannot follow),
for notes they may edit (articles.permissions; a 403 is in the audit trail), POST with CSRF,
never cached. The logic is in ``articles.autosave`` and ``articles.presence``.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from articles import autosave as autosaves
from articles import permissions
from articles import presence as presences
from articles.models import Article


def _refused(message, status):
    return JsonResponse({"error": message}, status=status)


def _not_yours(request, article):
    request.audit_reason = f"may not edit note {article.pk}" if article else "may not add notes"
    return _refused(gettext("You may not edit this note."), 403)


def editor_endpoint(view):
    """POST only, CSRF-checked, never cached, staff who may change notes only."""

    @never_cache
    @require_POST
    @csrf_protect
    def wrapped(request, *args, **kwargs):
        if not permissions.writes_notes(request.user):
            return _refused(gettext("Log in to the admin as an editor."), 403)
        return view(request, *args, **kwargs)

    return wrapped


@editor_endpoint
def autosave(request):
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return _refused(gettext("The text is larger than a note may be."), 413)
    if autosaves.over_rate_limit(request.user):
        response = _refused(gettext("Too many autosaves; the next one will follow."), 429)
        response["Retry-After"] = str(autosaves.RATE_WINDOW)
        return response
    form = autosaves.AutosaveForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"error": gettext("Invalid autosave."), "fields": form.errors}, status=400
        )
    article = form.cleaned_data["article"]
    if not permissions.can_edit(request.user, article):
        return _not_yours(request, article)
    saved = autosaves.store_autosave(request.user, form.cleaned_data)
    return JsonResponse({"saved_at": saved.updated_at.isoformat()})


@editor_endpoint
def discard_autosave(request):
    form = autosaves.AutosaveForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"error": gettext("Invalid request."), "fields": form.errors}, status=400
        )
    autosaves.discard_autosave(request.user, form.cleaned_data["article"])
    return JsonResponse({"discarded": True})


@editor_endpoint
def presence(request, pk):
    """A heartbeat from an open change form; answers who else is there and the version."""
    article = get_object_or_404(Article.objects.only("pk", "version", "author", "status"), pk=pk)
    if not permissions.can_view(request.user, article):
        return _not_yours(request, article)
    leaving = request.POST.get("leave") == "1"
    others = presences.ping(article.pk, request.user, leaving=leaving)
    return JsonResponse({"editors": others, "version": article.version})
