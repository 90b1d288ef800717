"""markdownx's preview and upload endpoints, for logged-in staff only: markdownx's own views
check no login, do not sanitise and accept SVG uploads."""

from django.contrib.admin.views.decorators import staff_member_required
from django.urls import path
from markdownx.views import MarkdownifyView

from articles.uploads import ImageUploadView

urlpatterns = [
    path(
        "markdownify/",
        staff_member_required(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
    # Checks staff itself, to answer the editor in JSON rather than with a login page.
    path("upload/", ImageUploadView.as_view(), name="markdownx_upload"),
]
