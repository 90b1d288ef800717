"""``{% cached_url "feeds:archive_month" year=2026 month=3 %}``: ``{% url %}`` with keyword
arguments, reversed once per URL (``notes_site.cached_urls``)."""

from django import template

from notes_site.cached_urls import cached_reverse

register = template.Library()


@register.simple_tag
def cached_url(viewname, **kwargs):
    return cached_reverse(viewname, **kwargs)
