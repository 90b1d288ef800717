"""``note_parts(article)``: what a note's page shows besides its body that is the
same for every request until a change (its tags, series, previous/next, related notes, header),
kept per note for the current generation (``pagecache.fragments``).

Here, and a global of the reader's templates (``notes_site.jinja2``), because ``articles``
depends on no other app (the import contracts in pyproject.toml): the note page's template
asks for these parts as it asked for its series.
"""

from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from articles.selectors import neighbour, related_articles
from pagecache.fragments import memoize
from series.selectors import series_nav


@dataclass(frozen=True)
class NoteParts:
    """Plain data and rendered HTML: what the cache keeps must pickle."""

    description: str  # the summary, cut for the meta tags
    tags: list  # [(name, URL)], for the meta tags
    series: dict | None  # {"title", "url"} of the note's series, for the breadcrumbs
    header: SafeString  # rendered HTML: the note's header (dates, tags) and its series' parts
    after_body: SafeString  # rendered HTML: the series' previous/next, previous/next, related notes


def note_parts(article):
    """The NoteParts of ``article``, kept for the generation."""
    return memoize(f"note:{article.pk}", lambda: make_note_parts(article))


def make_note_parts(article):
    """The NoteParts of ``article``: 5 queries (tags, series, neighbours, related notes)."""
    prefetch_related_objects([article], "tags")
    tags = [
        (tag.name, reverse("feeds:tag_detail", kwargs={"slug": tag.slug}))
        for tag in article.tags.all()
    ]
    nav = series_nav(article)
    context = {
        "article": article,
        "tags": tags,
        "nav": nav,
        "previous_article": neighbour(article, newer=False),
        "next_article": neighbour(article, newer=True),
        "related_articles": related_articles(article),
    }
    return NoteParts(
        description=Truncator(article.summary_text).chars(200),
        tags=tags,
        series={"title": nav.series.title, "url": nav.series.get_absolute_url()} if nav else None,
        header=mark_safe(render_to_string("articles/_note_header.html", context)),
        after_body=mark_safe(render_to_string("articles/_note_links.html", context)),
    )
