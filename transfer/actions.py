"""The notes list's "Export selected notes (.zip)" action: pick a layout, download the zip."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transfer.exporting import EXPORT_FORMATS, export_zip


@admin.action(description=gettext_lazy("Export selected notes (.zip)"), permissions=["view"])
def export_notes_zip(modeladmin, request, queryset):
    style = request.POST.get("export_format")
    if style in EXPORT_FORMATS:
        file, _report = export_zip(
            queryset.order_by("pk"), style, getattr(settings, "SITE_TITLE", "")
        )
        day = timezone.localdate().isoformat()
        return FileResponse(file, as_attachment=True, filename=f"notes-{style}-{day}.zip")
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Export notes"),
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "formats": EXPORT_FORMATS,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/transfer/export_notes.html", context)
