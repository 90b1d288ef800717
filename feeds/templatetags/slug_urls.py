"""``{% slug_url "feeds:category_rss" category.slug %}``: ``{% url ... slug=... %}`` without a
``reverse()`` each time (``articles.models.slug_url``): the feed links of a category, tag or
series page."""

from django import template

from articles.models import slug_url as build_slug_url

register = template.Library()


@register.simple_tag
def slug_url(viewname, slug):
    return build_slug_url(viewname, slug)
