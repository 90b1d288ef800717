"""Images that behave: resized WebP variants at upload, sizes and srcset in the stored HTML,
lazy loading after the first image, figures for titled images, the largest variant in feeds."""

import io
import re

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import reverse
from PIL import Image, ImageDraw

from articles import rendering
from articles.images import StoredImage, stored_image_facts
from articles.models import Article
from articles.rendering.sanitising import sanitise
from articles.rendering.sourcemap import strip_source_map
from articles.uploads import save_image
from articles.widgets import desk_preview
from tests.factories import ArticleFactory

pytestmark = pytest.mark.usefixtures("media_root")

UPLOAD_URL = "/markdownx/upload/"
XHR = {"x-requested-with": "XMLHttpRequest"}
IMAGE_CODE = re.compile(r"!\[\]\(/media/markdownx/([0-9a-f]{32})\.(png|jpg|gif|webp)\)")


def picture(size, image_format="PNG", mode="RGB", **options):
    image = Image.new(mode, size, "white")
    ImageDraw.Draw(image).rectangle((4, 4, size[0] // 2, size[1] // 2), fill="navy")
    output = io.BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


def stored_files(media_root):
    return sorted(p.name for p in media_root.rglob("*") if p.is_file())


def upload(client, content, name="figure.png"):
    file = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(UPLOAD_URL, {"image": file}, headers=XHR)


def stored(size, image_format="PNG", **options):
    """Store an image as the editor's upload does; return its URL."""
    return save_image(image_format, picture(size, image_format, **options))


def imgs(html):
    return BeautifulSoup(html, "html.parser").find_all("img")


# --- Variants ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_builds_webp_variants_never_upscaled_and_keeps_the_original(
    staff_client, media_root
):
    original = picture((2000, 1000))
    response = upload(staff_client, original)

    assert response.status_code == 200, response.content
    stem, extension = IMAGE_CODE.fullmatch(response.json()["image_code"]).groups()
    assert stored_files(media_root) == sorted(
        [f"{stem}.png", f"{stem}-480w.webp", f"{stem}-960w.webp", f"{stem}-1600w.webp"]
    )
    for width in (480, 960, 1600):
        with Image.open(media_root / "markdownx" / f"{stem}-{width}w.webp") as variant:
            assert (variant.format, variant.size) == ("WEBP", (width, width // 2))
    with Image.open(media_root / "markdownx" / f"{stem}.png") as kept:
        assert (kept.format, kept.size) == ("PNG", (2000, 1000))
    row = StoredImage.objects.get(name=f"{stem}.png")
    assert (row.width, row.height, row.variants) == (2000, 1000, [480, 960, 1600])

    served = staff_client.get(f"/media/markdownx/{stem}-960w.webp")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("size", "expected"),
    [((1200, 900), [480, 960]), ((480, 300), []), ((300, 200), [])],
)
def test_only_narrower_variants_are_built(media_root, size, expected):
    url = stored(size)
    name = url.rsplit("/", 1)[-1]
    row = StoredImage.objects.get(name=name)
    assert (row.width, row.height, row.variants) == (*size, expected)
    assert len(stored_files(media_root)) == 1 + len(expected)


@pytest.mark.django_db
def test_an_animation_gets_its_size_and_no_variants(media_root):
    frames = [Image.new("P", (800, 400), color) for color in (1, 2, 3)]
    output = io.BytesIO()
    frames[0].save(output, "GIF", save_all=True, append_images=frames[1:], duration=100)
    url = save_image("GIF", output.getvalue())
    row = StoredImage.objects.get(name=url.rsplit("/", 1)[-1])
    assert (row.width, row.height, row.variants) == (800, 400, [])
    assert len(stored_files(media_root)) == 1


@pytest.mark.django_db
def test_a_transparent_palette_image_keeps_its_transparency(media_root):
    url = stored((1000, 500), mode="P", transparency=0)
    stem = url.rsplit("/", 1)[-1].split(".")[0]
    with Image.open(media_root / "markdownx" / f"{stem}-480w.webp") as variant:
        assert variant.mode == "RGBA"


@pytest.mark.django_db
def test_a_refused_upload_stores_nothing(staff_client, media_root):
    response = upload(staff_client, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg")
    assert response.status_code == 400
    assert stored_files(media_root) == []
    assert not StoredImage.objects.exists()


@pytest.mark.django_db
def test_a_variant_that_cannot_be_stored_leaves_nothing(staff_client, media_root, monkeypatch):
    real_save = default_storage.save

    def failing_save(name, content, **kwargs):
        if name.endswith("-960w.webp"):
            raise OSError(28, "No space left on device")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(default_storage, "save", failing_save)
    response = upload(staff_client, picture((2000, 1000)))

    assert response.status_code == 507
    assert "图片没有保存" in response.json()["image"][0]
    assert stored_files(media_root) == []
    assert not StoredImage.objects.exists()


# --- Stored HTML ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_stored_html_has_sizes_srcset_and_lazy_loading_after_the_first_image():
    large, medium, small = stored((2000, 1000)), stored((1200, 600)), stored((300, 150))
    body = f"## 图\n\n![大图]({large})\n\n正文\n\n![中图]({medium})\n\n![小图]({small})"
    article = ArticleFactory(body=body)

    first, second, third = imgs(article.body_html)
    stem = large.rsplit("/", 1)[-1].split(".")[0]
    assert first["srcset"] == ", ".join(
        f"/media/markdownx/{stem}-{w}w.webp {w}w" for w in (480, 960, 1600)
    )
    assert first["sizes"] == rendering.images.SIZES
    assert (first["width"], first["height"]) == ("2000", "1000")
    assert first["src"] == large  # the original stays the fallback
    # The first image is above the fold: it loads at once.
    assert "loading" not in first.attrs and "decoding" not in first.attrs
    # No variant as wide as the original: the original is the widest candidate.
    assert second["srcset"].endswith(f"{medium} 1200w")
    assert (second["loading"], second["decoding"]) == ("lazy", "async")
    # Too small for variants: size only.
    assert "srcset" not in third.attrs and "sizes" not in third.attrs
    assert (third["width"], third["height"], third["loading"]) == ("300", "150", "lazy")


@pytest.mark.django_db
def test_a_titled_image_alone_in_its_paragraph_is_a_figure_with_its_caption():
    url = stored((1000, 500))
    body = (
        f'![注意力权重热力图]({url} "图 1：注意力 <权重>")\n\n'
        f'行内 ![小图标]({url} "提示") 不是图注\n\n'
        f"![无标题]({url})"
    )
    soup = BeautifulSoup(ArticleFactory(body=body).body_html, "html.parser")

    (figure,) = soup.find_all("figure")
    assert figure.parent.name != "p"
    assert figure.img["alt"] == "注意力权重热力图"
    assert "title" not in figure.img.attrs
    assert figure.figcaption.get_text() == "图 1：注意力 <权重>"
    inline = soup.find("img", alt="小图标")
    assert inline.parent.name == "p" and inline["title"] == "提示"
    assert soup.find("img", alt="无标题").parent.name == "p"


@pytest.mark.django_db
def test_the_preview_shows_the_same_image_markup_as_the_page():
    url = stored((1000, 500))
    body = f"前文\n\n![图]({url})"
    # The editor's preview (articles.widgets.desk_preview) without its source-line markers.
    preview = strip_source_map(desk_preview(body))
    assert preview == ArticleFactory(body=body).body_html
    assert "srcset=" in preview


def test_images_of_other_sites_are_not_looked_up():
    # No database access is allowed here: a query would fail the test.
    urls = {"https://example.org/a.png", "/static/x.png", "/media/markdownx/../x.png", ""}
    assert stored_image_facts(urls) == {}


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("srcset", "javascript:alert(1) 480w"),
        ("srcset", "//evil.example/a.webp 480w"),
        ("srcset", "/a.webp 480w, data:image/png;base64,xx 960w"),
        ("srcset", "/a.webp 2x"),
        ("sizes", 'calc(100vw) " onerror="x'),
        ("sizes", "expression(alert(1))" + "x" * 200),
        ("width", "100%"),
        ("height", "-1"),
        ("loading", "later"),
        ("decoding", "javascript"),
    ],
)
def test_the_sanitiser_drops_image_attributes_with_unsafe_values(attribute, value):
    clean = sanitise(f'<img src="/a.png" {attribute}=\'{value}\' alt="a">')
    (img,) = imgs(clean)
    assert attribute not in img.attrs, clean
    assert img["src"] == "/a.png"


def test_the_sanitiser_keeps_what_the_renderer_writes():
    written = (
        '<figure><img src="/media/markdownx/a.png" alt="a" width="2000" height="1000" '
        'srcset="/media/markdownx/a-480w.webp 480w, https://cdn.example.org/a-960w.webp 960w" '
        f'sizes="{rendering.images.SIZES}" loading="lazy" decoding="async">'
        "<figcaption>图 1</figcaption></figure>"
    )
    assert sanitise(written) == written


# --- Feeds ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_feeds_carry_the_largest_variant_with_an_absolute_url(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "notes.example.org"]
    url = stored((2000, 1000))
    stem = url.rsplit("/", 1)[-1].split(".")[0]
    ArticleFactory(slug="illustrated", body=f'前文\n\n![图]({url})\n\n![二]({url} "图 2")')

    for feed in ("rss", "atom"):
        response = client.get(
            reverse(f"feeds:{feed}"), {"full": "1"}, HTTP_HOST="notes.example.org", secure=True
        )
        assert response.status_code == 200
        (entry,) = feedparser.parse(response.content, resolve_relative_uris=False).entries
        content = next(c.value for c in entry.content if c.type == "text/html")
        for img in imgs(content):
            assert img["src"] == f"https://notes.example.org/media/markdownx/{stem}-1600w.webp"
            assert (img["width"], img["height"]) == ("2000", "1000")
            assert not {"srcset", "sizes", "loading", "decoding"} & img.attrs.keys()
        assert "图 2" in content


# --- Images stored before variants ---------------------------------------------------------


@pytest.mark.django_db
def test_old_images_render_and_the_command_fills_in_their_variants(media_root):
    folder = media_root / "markdownx"
    folder.mkdir(parents=True)
    old = "0123456789abcdef0123456789abcdef.jpg"
    (folder / old).write_bytes(picture((1800, 1200), "JPEG", quality=90))
    note = ArticleFactory(body=f"前文\n\n![旧图](/media/markdownx/{old})")
    (img,) = imgs(note.body_html)
    assert img["src"] == f"/media/markdownx/{old}" and "srcset" not in img.attrs

    out = io.StringIO()
    call_command("build_image_variants", stdout=out)

    assert "1 built" in out.getvalue()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [old, *(old.replace(".jpg", f"-{w}w.webp") for w in (480, 960, 1600))]
    )
    (img,) = imgs(Article.objects.get(pk=note.pk).body_html)
    assert (img["width"], img["height"]) == ("1800", "1200")
    assert "-1600w.webp 1600w" in img["srcset"]

    again = io.StringIO()
    call_command("build_image_variants", stdout=again)
    assert "0 built, 1 already complete" in again.getvalue()


@pytest.mark.django_db
def test_the_command_rebuilds_a_lost_variant_and_skips_unreadable_files(media_root):
    url = stored((1000, 500))
    name = url.rsplit("/", 1)[-1]
    lost = media_root / "markdownx" / name.replace(".png", "-480w.webp")
    lost.unlink()
    (media_root / "markdownx" / ("f" * 32 + ".png")).write_bytes(b"not an image")

    out, err = io.StringIO(), io.StringIO()
    call_command("build_image_variants", stdout=out, stderr=err)

    assert lost.exists()
    assert "1 built" in out.getvalue() and "1 failed" in out.getvalue()
    assert "f" * 32 in err.getvalue()


@pytest.mark.django_db
def test_an_image_that_cannot_be_recorded_leaves_no_file(staff_client, media_root, monkeypatch):
    def failing(*args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(StoredImage.objects, "update_or_create", failing)
    response = upload(staff_client, picture((2000, 1000)))

    assert response.status_code == 503
    assert stored_files(media_root) == []
