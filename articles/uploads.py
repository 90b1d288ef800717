"""Images uploaded from the markdownx editor: verified, re-encoded, stored under random names.

markdownx's own form trusts the client's content type, accepts SVG and reads the whole request
before checking its size. Here:

- only staff may upload; a request body over the size cap is refused from its Content-Length,
  before Django reads it (the view is CSRF-exempt at the middleware, which would otherwise parse
  the whole body first, and CSRF-protected again once the size is known);
- Pillow decides the format (PNG, JPEG, GIF or WebP, whatever the name or content type claim)
  and the pixel count is checked from the header, before anything is decoded;
- the image is then decoded and written again by Pillow. That proves it decodes, drops what is
  not pixels (EXIF with GPS positions, text chunks, comments, anything appended) and keeps the
  ICC colour profile, the EXIF rotation (applied) and every frame of an animation;
- the result is stored under a random name with the detected format's extension, only after
  all checks passed, so a refused upload leaves nothing behind; its resized WebP variants
  are written beside it (articles.images), or, if they cannot be, the original removed too;
- errors are JSON in markdownx's shape, ``{"image": ["message"]}``.
"""

import errno
import logging
import uuid
from io import BytesIO

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe
from markdownx.views import ImageUploadView as MarkdownxImageUploadView
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from articles import images

logger = logging.getLogger(__name__)

# Pillow format -> (file extension, content type). The only formats ever stored.
IMAGE_FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = dict(IMAGE_FORMATS.values())
# A stored file's name: what save_image() generates, nothing else is served.
STORED_NAME_PATTERN = r"[0-9a-f]{32}\.(?:" + "|".join(CONTENT_TYPES) + ")"
# A resized variant of one (articles.images.variant_name).
VARIANT_NAME_PATTERN = r"[0-9a-f]{32}-[1-9][0-9]{1,4}w\." + images.VARIANT_EXTENSION
# Room in a request's Content-Length for the multipart framing and the CSRF token field.
MULTIPART_ALLOWANCE = 64 * 1024

# Pillow errors for files that are not, or not entirely, a readable image.
UNREADABLE_IMAGE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


def allowed_formats():
    """The Pillow formats whose content type is in MARKDOWNX_UPLOAD_CONTENT_TYPES."""
    return [
        name
        for name, (_, content_type) in IMAGE_FORMATS.items()
        if content_type in settings.MARKDOWNX_UPLOAD_CONTENT_TYPES
    ]


def too_large_message(size):
    limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE
    return f"图片太大（{filesizeformat(size)}）：上限是 {filesizeformat(limit)}。"


def _open(file):
    """Open ``file`` with Pillow, refusing unknown formats and too many pixels before decoding."""
    formats = allowed_formats()
    file.seek(0)
    try:
        image = Image.open(file, formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limit (MAX_IMAGE_PIXELS), far above ours: a decompression bomb.
        raise ValidationError("图片像素太多，可能是解压炸弹。", code="too_many_pixels") from error
    # A JPEG carrying extra pictures (depth or gain maps from phones) opens as MPO.
    detected = "JPEG" if image.format == "MPO" else image.format
    if detected not in formats:
        image.close()
        raise ValidationError("不支持的图片格式。", code="unsupported_format")
    # Animated GIF, WebP and PNG: every frame is decoded. (An MPO's extra pictures are dropped.)
    frames = 1 if detected == "JPEG" else getattr(image, "n_frames", 1)
    pixels = image.width * image.height * frames
    limit = settings.MARKDOWNX_UPLOAD_MAX_PIXELS
    if pixels > limit:
        image.close()
        size = f"{image.width}×{image.height}" + (f"，{frames} 帧" if frames > 1 else "")
        raise ValidationError(
            f"图片像素太多（{size}）：上限是 {limit / 1e6:g} 百万像素。", code="too_many_pixels"
        )
    return image, detected, frames


def reencode_image(file):
    """Verify ``file`` is an allowed image and return ``(format, bytes)`` as written by Pillow.

    Raises ValidationError for anything else: another format (SVG, HTML, text), a damaged
    file, or more pixels than MARKDOWNX_UPLOAD_MAX_PIXELS (width × height × frames).
    """
    try:
        image, detected, frames = _open(file)
        with image:
            image.verify()
        # verify() leaves the image unusable: open it again to decode it.
        image, detected, frames = _open(file)
        with image:
            return detected, _encode(image, detected, frames)
    except UNREADABLE_IMAGE_ERRORS as error:
        raise ValidationError(
            "不是 PNG、JPEG、GIF 或 WebP 图片，或图片已损坏。", code="invalid_image"
        ) from error


def _encode(image, image_format, frames):
    options = {"icc_profile": image.info.get("icc_profile")}
    if image_format == "JPEG":
        if image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            image = ImageOps.exif_transpose(image)
        if image.format == "JPEG":
            # The original quantisation and subsampling: no further loss of quality.
            options.update(quality="keep", subsampling="keep")
        else:
            options["quality"] = 90
    elif image_format == "GIF":
        options["comment"] = b""
    elif image_format == "WEBP":
        options["quality"] = 90
    if frames > 1:
        options["save_all"] = True
    output = BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


def save_image(image_format, data, name=None):
    """Store ``data`` in MARKDOWNX_MEDIA_PATH under a new random name; return its URL.

    ``name`` keeps a name this function generated before (an imported export's image).
    Its resized variants are built and recorded too (articles.images.build_variants).
    """
    extension = IMAGE_FORMATS[image_format][0]
    name = f"{settings.MARKDOWNX_MEDIA_PATH}{name or uuid.uuid4().hex + '.' + extension}"
    name = default_storage.get_available_name(name)
    try:
        stored = default_storage.save(name, ContentFile(data))
    # A full disk (OSError) or an object store's client error: nothing half-written stays.
    except Exception as error:
        _remove_partial(name)
        raise ImageNotStored(error) from error
    try:
        images.build_variants(stored.rsplit("/", 1)[-1], data)
    except Exception as error:
        _remove_partial(stored)
        raise ImageNotStored(error) from error
    return image_url(stored)


def image_url(stored_name):
    """The site's URL of a stored image: serve_image's, whatever the storage (local or S3)."""
    return reverse("markdownx_image", kwargs={"name": stored_name.rsplit("/", 1)[-1]})


class ImageNotStored(OSError):
    """The storage could not write an image (disk full, object store unreachable)."""

    def __init__(self, error):
        full = isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
        self.status = 507 if full else 503
        reason = "服务器存储空间不足" if full else "存储暂时不可用"
        super().__init__(f"图片没有保存：{reason}，请稍后再试。")


def _remove_partial(name):
    try:
        if default_storage.exists(name):
            default_storage.delete(name)
    except Exception:
        logger.exception("Could not remove the partial upload %s", name)


class ImageUploadForm(forms.Form):
    image = forms.FileField()

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if upload.size > settings.MARKDOWNX_UPLOAD_MAX_SIZE:
            raise ValidationError(too_large_message(upload.size), code="too_large")
        self.image_format, self.image_data = reencode_image(upload)
        return upload

    def save(self):
        return save_image(self.image_format, self.image_data)


class StoredImageNameConverter:
    """URL converter matching only names that save_image() generates (and their variants)."""

    regex = f"(?:{STORED_NAME_PATTERN}|{VARIANT_NAME_PATTERN})"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


def upload_error(message, status):
    """An error the way markdownx reports form errors (our editor script shows it)."""
    return JsonResponse({"image": [message]}, status=status)


@method_decorator(csrf_exempt, name="dispatch")
class ImageUploadView(MarkdownxImageUploadView):
    """The editor's upload endpoint: staff only, always answers JSON."""

    form_class = ImageUploadForm
    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            return upload_error("只有已登录的编辑可以上传图片，请重新登录。", status=403)
        # WSGIRequest reads at most Content-Length bytes (none when it is missing or invalid).
        try:
            content_length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            content_length = 0
        if content_length > settings.MARKDOWNX_UPLOAD_MAX_SIZE + MULTIPART_ALLOWANCE:
            return upload_error(too_large_message(content_length), status=413)
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            url = form.save()
        except ImageNotStored as error:
            logger.warning("Upload not stored: %s", error.__cause__)
            return upload_error(str(error), status=error.status)
        return JsonResponse({"image_code": f"![]({url})"})

    def form_invalid(self, form):
        status = 413 if form.has_error("image", "too_large") else 400
        return JsonResponse(form.errors, status=status)


@require_safe
def serve_image(request, name):
    """Serve an uploaded image, in production as in development.

    Media files are otherwise served only under DEBUG, and the site has no separate web server
    in front of gunicorn: this view is small and enough for a few images per note. Only names
    that save_image() generates reach it (see STORED_NAME_PATTERN: no slashes, no dot-dot), the
    Content-Type comes from the extension of the format Pillow detected at upload, and the
    response forbids sniffing and, if opened as a page, any script or subresource. A stored name
    never changes content, so browsers may cache it for a year.
    """
    extension = name.rpartition(".")[2]
    try:
        file = default_storage.open(f"{settings.MARKDOWNX_MEDIA_PATH}{name}")
    except FileNotFoundError as error:
        raise Http404("No such image.") from error
    response = FileResponse(file, content_type=CONTENT_TYPES[extension])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
