from django.conf import settings


def site(request):
    return {
        "SITE_TITLE": settings.SITE_TITLE,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SITE_DESCRIPTION": settings.SITE_DESCRIPTION,
    }
