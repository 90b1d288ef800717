"""Uploaded images' sizes and resized variants, built once at upload, read by the renderer.

Each stored image (articles.uploads.save_image) gets WebP copies 480, 960 and 1600 px wide,
only those narrower than the original (never upscaled); the original is kept as uploaded
and stays the ``src``. An animation gets none (its variants would be stills or costly
re-encoded animations); it still gets its width and height. AVIF is not written although
this Pillow can: its encoder takes seconds for a large image at upload time, and WebP is
read by every browser we support, so one modern format keeps the markup a plain ``srcset``.

The facts live in a row per image (``StoredImage``), not in sidecar files beside the images:
the renderer asks for every image of a note at each save, which is one indexed query here
and would be one storage read per image otherwise (an S3 round trip each).

Images stored before variants existed (imports, demo content) render as before, with no
``srcset``, until ``manage.py build_image_variants`` fills them in (idempotent).
"""

import logging
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps

from articles.rendering import ImageFacts

logger = logging.getLogger(__name__)

VARIANT_WIDTHS = (480, 960, 1600)
VARIANT_EXTENSION = "webp"
VARIANT_QUALITY = 82
# What a stored original may be: the formats articles.uploads stores.
SOURCE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")


class StoredImage(models.Model):
    name = models.CharField(
        _("file name"), max_length=64, unique=True, help_text=_("In MARKDOWNX_MEDIA_PATH.")
    )
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    # The widths of the WebP variants, ascending ([] for small images and animations).
    variants = models.JSONField(_("variant widths"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored image")
        verbose_name_plural = _("stored images")

    def __str__(self):
        return self.name


def storage_name(name):
    return f"{settings.MARKDOWNX_MEDIA_PATH}{name}"


def variant_name(name, width):
    """``<stem>-<width>w.webp``: articles.uploads serves it like the original."""
    return f"{name.rsplit('.', 1)[0]}-{width}w.{VARIANT_EXTENSION}"


def stored_url(name):
    return reverse("markdownx_image", kwargs={"name": name})


def variant_widths(width, frames=1):
    return [] if frames > 1 else [w for w in VARIANT_WIDTHS if w < width]


def _displayed(image):
    """(width, height) as shown: an EXIF rotation of a quarter turn swaps them."""
    if image.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8):
        return image.height, image.width
    return image.size


def _scaled_height(width, height, new_width):
    return max(1, round(height * new_width / width))


def _encode_variants(image, widths):
    """{width: WebP bytes} of ``image`` resized to each of ``widths``."""
    width, height = _displayed(image)
    icc_profile = image.info.get("icc_profile")
    if image.format == "JPEG" and widths and (width, height) == image.size:
        # Decode at the smallest DCT scale still at least as large as the widest variant.
        image.draft("RGB", (widths[-1], _scaled_height(width, height, widths[-1])))
    frame = ImageOps.exif_transpose(image)
    if frame.mode not in ("RGB", "RGBA"):
        frame = frame.convert("RGBA" if frame.has_transparency_data else "RGB")
    encoded = {}
    for new_width in widths:
        size = (new_width, _scaled_height(width, height, new_width))
        resized = frame.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        output = BytesIO()
        resized.save(output, "WEBP", quality=VARIANT_QUALITY, method=4, icc_profile=icc_profile)
        encoded[new_width] = output.getvalue()
    return encoded


def build_variants(name, data):
    """Write the missing variants of the stored image ``name`` (its bytes ``data``) and record
    its facts; return the StoredImage. On a storage or database error the variants this call
    wrote are removed and the error raised (the caller removes the original)."""
    with Image.open(BytesIO(data), formats=SOURCE_FORMATS) as image:
        width, height = _displayed(image)
        widths = variant_widths(width, getattr(image, "n_frames", 1))
        missing = [
            w for w in widths if not default_storage.exists(storage_name(variant_name(name, w)))
        ]
        encoded = _encode_variants(image, missing) if missing else {}
    written = []
    try:
        for new_width, variant in encoded.items():
            target = storage_name(variant_name(name, new_width))
            written.append(default_storage.save(target, ContentFile(variant)))
            if written[-1] != target:  # the storage renamed it: not a name we serve
                raise OSError(f"{target} was stored as {written[-1]}")
        stored, _created = StoredImage.objects.update_or_create(
            name=name, defaults={"width": width, "height": height, "variants": widths}
        )
    except Exception:
        remove_files(written)
        raise
    return stored


def remove_files(names):
    for name in names:
        try:
            if default_storage.exists(name):
                default_storage.delete(name)
        except Exception:
            logger.exception("Could not remove %s", name)


def image_files(stored):
    """Every storage name belonging to ``stored`` (the original and its variants)."""
    return [storage_name(stored.name)] + [
        storage_name(variant_name(stored.name, w)) for w in stored.variants
    ]


def facts(stored, url):
    """The renderer's ImageFacts of ``stored``, whose original is at ``url``."""
    srcset = [(stored_url(variant_name(stored.name, w)), w) for w in stored.variants]
    if srcset and stored.width <= VARIANT_WIDTHS[-1]:
        srcset.append((url, stored.width))  # no wider variant: the original is the widest
    return ImageFacts(stored.width, stored.height, tuple(srcset))


def stored_image_facts(urls):
    """The renderer's lookup: ``{url: ImageFacts}`` for the ``urls`` that are our uploads."""
    by_name = {}
    for url in urls:
        name = (url or "").rsplit("/", 1)[-1]
        if url and url.endswith(f"/{settings.MARKDOWNX_MEDIA_PATH}{name}"):
            by_name[name] = url
    if not by_name:
        return {}
    rows = StoredImage.objects.filter(name__in=by_name)
    return {
        by_name[row.name]: facts(row, by_name[row.name])
        for row in rows
        if stored_url(row.name) == by_name[row.name]
    }
