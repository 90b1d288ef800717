"""Build the missing resized variants of uploaded images, then re-render the notes.

For images stored before variants existed (imports, demo content) or whose variants were
lost: each original in MARKDOWNX_MEDIA_PATH without its StoredImage row or variant files
gets them (articles.images). Idempotent: a second run finds nothing to do.
"""

import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand
from PIL import UnidentifiedImageError

from articles import images
from articles.uploads import STORED_NAME_PATTERN

STORED_NAME_RE = re.compile(STORED_NAME_PATTERN)


class Command(BaseCommand):
    help = (
        "Build the missing WebP variants and recorded sizes of uploaded images, then "
        "re-render the notes so their pages use them. Idempotent."
    )

    def handle(self, *args, **options):
        try:
            _, files = default_storage.listdir(settings.MARKDOWNX_MEDIA_PATH)
        except FileNotFoundError:
            files = []
        originals = sorted(name for name in files if STORED_NAME_RE.fullmatch(name))
        known = {row.name: row for row in images.StoredImage.objects.filter(name__in=originals)}
        built = failed = 0
        for name in originals:
            row = known.get(name)
            if row is not None and all(default_storage.exists(f) for f in images.image_files(row)):
                continue
            try:
                with default_storage.open(images.storage_name(name)) as file:
                    images.build_variants(name, file.read())
            except (UnidentifiedImageError, OSError, ValueError) as error:
                failed += 1
                self.stderr.write(f"{name}: not built ({error})")
                continue
            built += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(originals)} images checked, {built} built, "
                f"{len(originals) - built - failed} already complete, {failed} failed."
            )
        )
        if built:
            call_command("rerender_articles", stdout=self.stdout)
