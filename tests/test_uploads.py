"""Editor image uploads: staff only, real images only, size and pixels capped, none half-stored."""

import io
import re
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from PIL import ExifTags, Image, ImageDraw

from tests.factories import StaffFactory, UserFactory

# Every test writes into a MEDIA_ROOT of its own.
pytestmark = pytest.mark.usefixtures("media_root")

UPLOAD_URL = "/markdownx/upload/"
XHR = {"x-requested-with": "XMLHttpRequest"}  # what markdownx's editor sends
IMAGE_CODE = re.compile(r"!\[\]\((/media/markdownx/([0-9a-f]{32})\.(png|jpg|gif|webp))\)")
MB = 1024 * 1024


def stored_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def make_image(image_format, size=(64, 48), **save_options):
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).ellipse((8, 8, size[0] - 8, size[1] - 8), fill="navy")
    output = io.BytesIO()
    image.save(output, image_format, **save_options)
    return output.getvalue()


def png_declaring(width, height):
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's shape)."""
    output = io.BytesIO()
    Image.new("1", (1, 1)).save(output, "PNG")
    png = bytearray(output.getvalue())
    # Signature (8), IHDR length and type (8), then width and height; the CRC follows the data.
    png[16:24] = struct.pack(">II", width, height)
    png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))
    return bytes(png)


def upload(client, content, name="figure.png", content_type="image/png"):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(UPLOAD_URL, {"image": file}, headers=XHR)


def error_of(response):
    assert response["Content-Type"] == "application/json"
    messages = response.json()["image"]
    assert messages and all(isinstance(m, str) and m for m in messages)
    return " ".join(messages)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("image_format", "extension", "content_type"),
    [
        ("PNG", "png", "image/png"),
        ("JPEG", "jpg", "image/jpeg"),
        ("GIF", "gif", "image/gif"),
        ("WEBP", "webp", "image/webp"),
    ],
)
def test_real_image_is_stored_under_a_random_name_and_served_safely(
    staff_client, media_root, image_format, extension, content_type
):
    # The client's name and content type are ignored: the format is what Pillow finds.
    response = upload(
        staff_client, make_image(image_format), "我的 图.bin", "application/octet-stream"
    )

    assert response.status_code == 200, response.content
    url, stem, stored_extension = IMAGE_CODE.fullmatch(response.json()["image_code"]).groups()
    assert stored_extension == extension
    assert stored_files(media_root) == [media_root / "markdownx" / f"{stem}.{extension}"]

    served = staff_client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "immutable" in served["Cache-Control"]
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert (image.format, image.size) == (image_format, (64, 48))


@pytest.mark.django_db
def test_each_upload_gets_its_own_name(staff_client, media_root):
    first = upload(staff_client, make_image("PNG")).json()["image_code"]
    second = upload(staff_client, make_image("PNG")).json()["image_code"]
    assert first != second
    assert len(stored_files(media_root)) == 2


@pytest.mark.django_db
def test_image_served_to_anonymous_readers(staff_client, client):
    url = IMAGE_CODE.fullmatch(upload(staff_client, make_image("PNG")).json()["image_code"])[1]
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_serving_only_stored_names(client, media_root):
    (media_root / "markdownx").mkdir(parents=True)
    (media_root / "markdownx" / "page.html").write_text("<script>alert(1)</script>")
    (media_root / "secret.png").write_bytes(make_image("PNG"))
    for url in [
        "/media/markdownx/page.html",
        "/media/markdownx/..%2Fsecret.png",
        "/media/markdownx/" + "0" * 32 + ".svg",
        "/media/markdownx/" + "0" * 32 + ".png",  # well-formed, but no such file
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_metadata_is_dropped_and_rotation_applied(staff_client, media_root):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown rotated 90° clockwise
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    photo = make_image("JPEG", size=(64, 48), exif=exif, quality=95)

    assert upload(staff_client, photo, "photo.jpg", "image/jpeg").status_code == 200

    [stored] = stored_files(media_root)
    with Image.open(stored) as image:
        assert image.size == (48, 64)
        exif = image.getexif()
        assert ExifTags.Base.Orientation not in exif
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)


@pytest.mark.django_db
def test_bytes_after_the_image_are_not_stored(staff_client, media_root):
    polyglot = make_image("PNG") + b"<html><script>alert(document.cookie)</script></html>"
    assert upload(staff_client, polyglot).status_code == 200
    [stored] = stored_files(media_root)
    assert b"<script" not in stored.read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("image_format", ["GIF", "WEBP", "PNG"])
def test_animation_keeps_its_frames(staff_client, media_root, image_format):
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue")]
    output = io.BytesIO()
    frames[0].save(output, image_format, save_all=True, append_images=frames[1:], duration=100)
    assert upload(staff_client, output.getvalue(), "anim.bin", "image/gif").status_code == 200
    [stored] = stored_files(media_root)
    with Image.open(stored) as image:
        assert (image.format, image.n_frames) == (image_format, 3)


SVG_WITH_SCRIPT = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
  <script>alert(document.cookie)</script><rect width="10" height="10"/>
</svg>"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        pytest.param(SVG_WITH_SCRIPT, "figure.svg", "image/svg+xml", id="svg-with-script"),
        pytest.param(SVG_WITH_SCRIPT, "figure.png", "image/png", id="svg-named-png"),
        pytest.param("不是图片，只是文字。".encode(), "note.png", "image/png", id="text-named-png"),
        pytest.param(
            b"GIF89a<html><script>alert(1)</script></html>", "x.gif", "image/gif", id="html-as-gif"
        ),
        pytest.param(
            b"GIF89a\x10\x00\x10\x00\x00\x00\x00<script>alert(1)</script>",
            "x.gif",
            "image/gif",
            id="gif-header-then-html",
        ),
        pytest.param(make_image("PNG")[:-40], "cut.png", "image/png", id="truncated-png"),
        pytest.param(make_image("BMP"), "figure.bmp", "image/bmp", id="bmp"),
        pytest.param(make_image("TIFF"), "figure.png", "image/png", id="tiff-named-png"),
    ],
)
def test_anything_but_a_real_image_is_refused(
    staff_client, media_root, content, name, content_type
):
    response = upload(staff_client, content, name, content_type)
    assert response.status_code == 400
    assert error_of(response)
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_empty_or_missing_file_is_refused(staff_client, media_root):
    assert staff_client.post(UPLOAD_URL, {}, headers=XHR).status_code == 400
    response = upload(staff_client, b"", "empty.png")
    assert response.status_code == 400
    assert error_of(response)
    assert stored_files(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "size",
    [
        pytest.param((30_000, 30_000), id="over-pillows-limit"),
        pytest.param((10_000, 10_000), id="over-ours-under-pillows"),
    ],
)
# Pillow warns of 100 megapixels (its limit is ~89) in Image.open, before our cap refuses them.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_decompression_bomb_is_refused_fast(staff_client, media_root, size):
    bomb = png_declaring(*size)  # up to 900 megapixels in ~70 bytes
    assert len(bomb) < 100

    started = time.perf_counter()
    response = upload(staff_client, bomb, "bomb.png")
    elapsed = time.perf_counter() - started

    assert response.status_code == 400
    assert "像素" in error_of(response)
    assert elapsed < 1.0
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_pixel_cap_is_checked_before_decoding(staff_client, media_root, settings):
    settings.MARKDOWNX_UPLOAD_MAX_PIXELS = 64 * 48 - 1
    response = upload(staff_client, make_image("PNG"))
    assert response.status_code == 400
    assert "64×48" in error_of(response)
    assert stored_files(media_root) == []

    settings.MARKDOWNX_UPLOAD_MAX_PIXELS = 64 * 48
    assert upload(staff_client, make_image("PNG")).status_code == 200


@pytest.mark.django_db
def test_animation_pixels_count_every_frame(staff_client, media_root, settings):
    settings.MARKDOWNX_UPLOAD_MAX_PIXELS = 16 * 16 * 2
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue")]
    output = io.BytesIO()
    frames[0].save(output, "GIF", save_all=True, append_images=frames[1:])
    response = upload(staff_client, output.getvalue(), "anim.gif", "image/gif")
    assert response.status_code == 400
    assert "3 帧" in error_of(response)
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_50_mb_file_is_refused_quickly(staff_client, media_root):
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (50 * MB)

    started = time.perf_counter()
    response = upload(staff_client, big, "huge.png")
    elapsed = time.perf_counter() - started

    assert response.status_code == 413
    assert "10.0" in error_of(response)  # the cap, in the author's words ("10.0 MB")
    assert elapsed < 2.0  # building the 50 MB request is most of it
    assert stored_files(media_root) == []


class CountingStream:
    """A request body of ``size`` bytes that is never held in memory and counts what is read."""

    def __init__(self, head, size):
        self.head, self.size, self.read_bytes = head, size, 0

    def read(self, n=-1):
        remaining = self.size - self.read_bytes
        n = remaining if n is None or n < 0 else min(n, remaining)
        start, self.read_bytes = self.read_bytes, self.read_bytes + n
        head = self.head[start : start + n]
        return head + b"\0" * (n - len(head))

    def readline(self, size=-1):
        return self.read(size)


@pytest.mark.django_db
def test_oversized_body_is_not_read(staff_client, media_root):
    head = encode_multipart(BOUNDARY, {"image": SimpleUploadedFile("huge.png", b"")})
    body = CountingStream(head[: head.index(b"\r\n\r\n") + 4], 50 * MB)

    response = staff_client.post(
        UPLOAD_URL,
        content_type=MULTIPART_CONTENT,
        headers=XHR,
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size)},
    )

    assert response.status_code == 413
    assert body.read_bytes == 0
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_file_over_the_cap_in_a_small_request_is_refused(staff_client, media_root, settings):
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = 1000
    image = make_image("PNG", size=(200, 200), compress_level=0)
    assert len(image) > 1000

    response = upload(staff_client, image)

    assert response.status_code == 413
    assert error_of(response)
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_anonymous_and_non_staff_users_cannot_upload(client, media_root):
    response = upload(client, make_image("PNG"))
    assert response.status_code == 403
    assert error_of(response)

    client.force_login(UserFactory(username="reader"))
    response = upload(client, make_image("PNG"))
    assert response.status_code == 403
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_inactive_staff_cannot_upload(client, media_root):
    client.force_login(StaffFactory(username="former-editor", is_active=False))
    assert upload(client, make_image("PNG")).status_code == 403
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_upload_still_needs_the_csrf_token(media_root):
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory())
    image = SimpleUploadedFile("figure.png", make_image("PNG"), content_type="image/png")

    assert client.post(UPLOAD_URL, {"image": image}, headers=XHR).status_code == 403
    assert stored_files(media_root) == []

    token = "a" * 32
    client.cookies["csrftoken"] = token
    image.seek(0)
    data = {"csrfmiddlewaretoken": token, "image": image}
    assert client.post(UPLOAD_URL, data, headers=XHR).status_code == 200
    assert len(stored_files(media_root)) == 1


@pytest.mark.django_db
def test_upload_endpoint_only_takes_posts(staff_client):
    assert staff_client.get(UPLOAD_URL).status_code == 405


def test_upload_url_is_the_one_the_editor_calls(settings):
    assert reverse("markdownx_upload") == UPLOAD_URL == settings.MARKDOWNX_UPLOAD_URLS_PATH
