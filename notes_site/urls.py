from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, register_converter

from articles.uploads import StoredImageNameConverter, serve_image
from articles.views import robots_txt
from notes_site import health
from notes_site.converters import (
    FourDigitYearConverter,
    TwoDigitMonthConverter,
    UnicodeSlugConverter,
)
from notes_site.sitemaps import SITEMAPS, sitemap_file

# Every converter, registered here before any include() so that every app's URLconf may use it.
register_converter(UnicodeSlugConverter, "uslug")
register_converter(FourDigitYearConverter, "yyyy")
register_converter(TwoDigitMonthConverter, "mm")
register_converter(StoredImageNameConverter, "stored_image")

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("markdownx/", include("articles.markdownx_urls")),
    # Uploaded images, in production too (see serve_image); other media only under DEBUG.
    path(
        f"{settings.MEDIA_URL.lstrip('/')}{settings.MARKDOWNX_MEDIA_PATH}<stored_image:name>",
        serve_image,
        name="markdownx_image",
    ),
    # A sitemap index: one file per section and page of ArticleSitemap.limit URLs (?p=2, ...),
    # each written by notes_site.sitemaps.sitemap_file.
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_file, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("healthz/live", health.liveness, name="health_live"),
    path("healthz/ready", health.readiness, name="health_ready"),
    path("", include("articles.urls")),
    path("", include("feeds.urls")),
    path("", include("search.urls")),
    path("", include("series.urls")),
    # Shareable draft previews (/preview/<token>/), never cached.
    path("", include("review.urls")),
]

handler500 = "notes_site.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
