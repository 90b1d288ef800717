"""What the importer remembers between runs, so that importing again never duplicates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedSource(models.Model):
    """One note's origin: a source format and a key in it (a path in the site, a WXR post id)."""

    format = models.CharField(_("format"), max_length=20)
    source_key = models.CharField(
        _("source key"),
        max_length=500,
        help_text=_("The file's path from the site's root, or the WXR post id."),
    )
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="imported_sources",
        verbose_name=_("note"),
    )
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        help_text=_("SHA-256 of the note as last imported: same hash, no update."),
    )
    first_imported_at = models.DateTimeField(_("first imported at"), auto_now_add=True)
    last_imported_at = models.DateTimeField(_("last imported at"), auto_now=True)

    class Meta:
        ordering = ["format", "source_key"]
        constraints = [
            models.UniqueConstraint(fields=["format", "source_key"], name="imported_source_unique")
        ]
        verbose_name = _("imported source")
        verbose_name_plural = _("imported sources")

    def __str__(self):
        return f"{self.format}:{self.source_key}"


class ImportedMedia(models.Model):
    """An image copied into media, by the SHA-256 of the source file: copied once, reused after."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    stored_name = models.CharField(
        _("stored name"), max_length=255, help_text=_("The name in default storage.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("imported media file")
        verbose_name_plural = _("imported media")

    def __str__(self):
        return self.stored_name
