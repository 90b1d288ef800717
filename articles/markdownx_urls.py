"""markdownx's preview and upload endpoints, for staff who write notes only: markdownx's own
views check no login, do not sanitise and accept SVG uploads. A contributor (who cannot
publish) uploads images up to ``CONTRIBUTOR_UPLOAD_MAX_BYTES`` (articles.permissions)."""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponseForbidden
from django.template.defaultfilters import filesizeformat
from django.urls import path
from markdownx.views import MarkdownifyView

from articles import permissions
from articles.uploads import MULTIPART_ALLOWANCE, ImageUploadView, upload_error


def writers_only(view):
    """The preview: staff (else the login page) who may write notes (else 403)."""

    @staff_member_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.writes_notes(request.user):
            request.audit_reason = "may not write notes"
            return HttpResponseForbidden()
        return view(request, *args, **kwargs)

    return wrapped


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large(size, limit):
    return upload_error(
        f"图片太大（{filesizeformat(size)}）：你的上传上限是 {filesizeformat(limit)}。", status=413
    )


def capped_upload(view):
    """The upload: writers only (JSON 403 otherwise), each under their own size cap."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if user.is_active and user.is_staff and not permissions.writes_notes(user):
            request.audit_reason = "may not upload images"
            return upload_error("你没有写笔记的权限，不能上传图片。", status=403)
        if user.is_active and user.is_staff:
            limit = permissions.upload_limit(user)
            length = _content_length(request)
            if length > limit + MULTIPART_ALLOWANCE:
                return _too_large(length, limit)
            upload = request.FILES.get("image") if request.method == "POST" else None
            if upload is not None and upload.size > limit:
                return _too_large(upload.size, limit)
        return view(request, *args, **kwargs)

    return wrapped


urlpatterns = [
    path(
        "markdownify/",
        writers_only(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
    # Checks staff itself, to answer the editor in JSON rather than with a login page.
    path("upload/", capped_upload(ImageUploadView.as_view()), name="markdownx_upload"),
]
