"""What the importer remembers between runs, so that importing again never duplicates."""

from django.db import models


class ImportedSource(models.Model):
    """One note's origin: a source format and a key in it (a path in the site, a WXR post id)."""

    format = models.CharField(max_length=20)
    source_key = models.CharField(
        max_length=500, help_text="The file's path from the site's root, or the WXR post id."
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="imported_sources"
    )
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the note as last imported: same hash, no update."
    )
    first_imported_at = models.DateTimeField(auto_now_add=True)
    last_imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["format", "source_key"]
        constraints = [
            models.UniqueConstraint(fields=["format", "source_key"], name="imported_source_unique")
        ]

    def __str__(self):
        return f"{self.format}:{self.source_key}"


class ImportedMedia(models.Model):
    """An image copied into media, by the SHA-256 of the source file: copied once, reused after."""

    sha256 = models.CharField(max_length=64, unique=True)
    stored_name = models.CharField(max_length=255, help_text="The name in default storage.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "imported media"

    def __str__(self):
        return self.stored_name
