"""Admin: the imported sources, and importing an upload (a .zip or a WordPress .xml):
upload -> dry-run report -> confirm -> the import's report.

Editors only (articles.permissions.can_import): an import creates notes and updates the notes
it imported before, whoever wrote them, and keeps the source's draft flags and dates.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles import permissions
from articles.models import Article, Category
from editorial import audit
from transfer import archives
from transfer.actions import export_notes_zip
from transfer.categories import MappingFileError, load_mapping_text
from transfer.formats import FORMATS
from transfer.models import ImportedSource
from transfer.services import STATUS_CHOICES, Importer, ImportOptions

SIGNING_SALT = "transfer.admin.import"


def admin_import_limit():
    """Notes one upload may create or change: more would outlast a request (use the command)."""
    return getattr(settings, "IMPORT_ADMIN_MAX_NOTES", 100)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Site or export"),
        help_text=_(
            "A .zip of a Hexo, Hugo or Jekyll site, an Obsidian vault or Markdown files; "
            "or a WordPress export (.xml), zipped with its wp-content/uploads folder for images."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[(n, n) for n in ["auto", *FORMATS]], initial="auto"
    )
    status = forms.ChoiceField(
        choices=[(n, n) for n in STATUS_CHOICES],
        initial="keep",
        label=_("Status"),
        help_text=_("keep: the source's own draft flag."),
    )
    default_category = forms.ModelChoiceField(
        Category.objects.all(),
        required=False,
        to_field_name="slug",
        label=_("Default category"),
        help_text=_("For notes whose categories and tags map to none of ours."),
    )
    category_map = forms.FileField(
        required=False,
        label=_("Category map"),
        help_text=_("Optional TOML or YAML table: source category or tag name = category slug."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.suffix = archives.check_upload(upload)
        return upload

    def clean_category_map(self):
        upload = self.cleaned_data.get("category_map")
        if not upload:
            return None
        try:
            return load_mapping_text(upload.read(), upload.name)
        except MappingFileError as error:
            raise ValidationError(str(error)) from error


def run_import(token, choices, user, dry_run):
    """Import the stored upload ``token`` with the form's ``choices``; return the report."""
    with archives.unpacked(token) as paths:
        importer = Importer(
            ImportOptions(
                author=user,
                format=choices["format"],
                status=choices["status"],
                category_map=choices["mapping"],
                default_category=choices["default_category"],
                dry_run=dry_run,
            )
        )
        importer.collect(paths)
        return importer.run()


@admin.register(ImportedSource)
class ImportedSourceAdmin(admin.ModelAdmin):
    list_display = ["source_key", "format", "article", "last_imported_at"]
    list_filter = ["format"]
    list_select_related = ["article"]
    search_fields = ["source_key", "article__title"]
    change_list_template = "admin/transfer/importedsource/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="transfer_import"), *super().get_urls()]

    def import_view(self, request):
        if not permissions.can_import(request.user):
            request.audit_reason = "may not import notes"
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import notes"),
            "opts": self.model._meta,
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, context)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            token = archives.store_upload(form.cleaned_data["file"], form.suffix)
            choices = {
                "token": token,
                "format": form.cleaned_data["format"],
                "status": form.cleaned_data["status"],
                "default_category": getattr(form.cleaned_data["default_category"], "slug", None),
                "mapping": form.cleaned_data["category_map"],
            }
            try:
                report = run_import(token, choices, request.user, dry_run=True)
            except (ValidationError, MappingFileError) as error:
                archives.discard_upload(token)
                form.add_error("file", getattr(error, "messages", [str(error)]))
            else:
                changes = len(report.created) + len(report.updated)
                if 0 < changes <= admin_import_limit():
                    context["confirm"] = signing.dumps(choices, salt=SIGNING_SALT)
                else:  # nothing to do, or more than a request may take
                    archives.discard_upload(token)
                    context["too_many"] = admin_import_limit() if changes else None
                context["report"] = report
                return TemplateResponse(request, "admin/transfer/import.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/transfer/import.html", context)

    def _confirm(self, request, context):
        try:
            choices = signing.loads(request.POST["confirm"], salt=SIGNING_SALT, max_age=86400)
        except signing.BadSignature:
            return HttpResponseBadRequest(gettext("This import form is not valid any more."))
        if not archives.upload_exists(choices["token"]):
            messages.error(request, gettext("The upload has expired: upload the file again."))
            context["form"] = ImportForm()
            return TemplateResponse(request, "admin/transfer/import.html", context)
        try:
            report = run_import(choices["token"], choices, request.user, dry_run=False)
        except (ValidationError, MappingFileError) as error:
            messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
            context["form"] = ImportForm()
            return TemplateResponse(request, "admin/transfer/import.html", context)
        finally:
            archives.discard_upload(choices["token"])
        audit.record(audit.Action.IMPORT, request=request, summary=report.summary_line())
        level = messages.SUCCESS if report.ok else messages.WARNING
        messages.add_message(request, level, report.summary_line())
        context.update(report=report, done=True)
        return TemplateResponse(request, "admin/transfer/import.html", context)


# The notes list gains the export action from here, so that articles does not depend on transfer.
_article_admin = admin.site.get_model_admin(Article)
_article_admin.actions = [*_article_admin.actions, export_notes_zip]
