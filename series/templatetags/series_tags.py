from django import template

from series.selectors import series_nav

register = template.Library()


@register.simple_tag
def note_series(article):
    """``{% note_series article as nav %}``: the note's SeriesNav or None (one query)."""
    return series_nav(article)
