"""The one renderer: Markdown + LaTeX -> sanitised HTML, feed HTML, TOC, summary, reading time.

Everything that needs HTML or a summary calls this package: Article.save(), the markdownx
preview, the stream and the feeds. Rendering happens at save time (and in the preview),
never per request. One pass, one module per step:

1. ``markdown``: markdown-it parses the Markdown; its math rules (``mathsyntax``) make each
   formula a token (never inside code, HTML or link syntax) and render it as an alphanumeric
   placeholder. GFM tables, footnotes, heading ids and permalinks (``headings``), bare URLs as
   links, Pygments, image sizes, variants and captions (``images``, facts passed in by the
   caller). The tokens also give the TOC (``toc``) and the plain text (``plaintext``).
2. ``sanitising``: nh3 cleans the HTML with an explicit allowlist.
3. ``typesetting``: the formulas, typeset once by KaTeX (server side, mini-racer, cached),
   replace the placeholders: HTML+MathML for the page and the TOC, MathML only for feeds.
   Math is inserted after sanitising and only from KaTeX (``trust: false``).
4. ``summary`` cuts the plain text (placeholders still in, so formulas stay whole and reuse
   the body's typesetting); ``reading`` counts it. ``formulas`` scans text that is not
   Markdown (hand-written summaries, search snippets) with the same delimiter pattern.
5. ``titles``: the title typeset (HTML) and as readable plain text.
"""

import dataclasses
import html
from dataclasses import dataclass

from articles.rendering.formulas import Formula, extract_math, restore_sources, split_math
from articles.rendering.headings import strip_permalinks
from articles.rendering.images import ImageFacts, feed_images
from articles.rendering.limits import body_length_error
from articles.rendering.markdown import render as render_markdown
from articles.rendering.plaintext import markdown_plain_text, plain_text
from articles.rendering.reading import reading_minutes
from articles.rendering.sanitising import sanitise
from articles.rendering.sourcemap import data_attributes, formula_lines
from articles.rendering.summary import (
    ELLIPSIS,
    cut_summary,
    own_summary,
    summary_fragments,
    text_atoms,
)
from articles.rendering.titles import render_title, title_text
from articles.rendering.toc import build_toc
from articles.rendering.typesetting import FEED, PAGE, insert_math, katex, typeset

__all__ = [
    "ELLIPSIS",
    "STORED_FIELDS",
    "Formula",
    "ImageFacts",
    "RenderedArticle",
    "extract_math",
    "katex",
    "markdown_plain_text",
    "render_article",
    "render_preview",
    "render_title",
    "title_text",
    "split_math",
    "text_atoms",
    "typeset",
]


@dataclass(frozen=True)
class RenderedArticle:
    body_html: str  # page HTML (sanitised; math typeset for browsers)
    body_feed_html: str  # feed HTML (math as MathML, for readers without JavaScript)
    toc_html: str  # table of contents, "" when the note has too few headings
    summary_text: str  # plain text, formulas kept whole as LaTeX with delimiters
    summary_html: str  # escaped summary text with typeset math
    summary_feed_html: str  # escaped summary text with MathML
    reading_minutes: int
    title_html: str = ""  # the title, escaped, formulas typeset (cards, <h1>, search results)
    title_text: str = ""  # the title as plain text, formulas readable (<title>, feeds, slugs)
    # The whole body as plain text, formulas as written: not stored on the note, handed to
    # the search index after the save.
    plain_text: str = dataclasses.field(default="", metadata={"stored": False})


# The RenderedArticle fields that are Article columns (Article.render, rerender_articles).
STORED_FIELDS = tuple(
    field.name
    for field in dataclasses.fields(RenderedArticle)
    if field.metadata.get("stored", True)
)


def _render_body(body, images=None):
    tokens, raw, formulas = render_markdown(body or "", images)
    return tokens, formulas, sanitise(raw), typeset(formulas)


def render_article(body, summary="", title="", images=None):
    """Everything stored for a note with this ``body``, hand-written ``summary`` and ``title``.

    ``images``: ``callable(set of image URLs) -> {url: ImageFacts}`` for the images whose
    size and variants are known (articles.images.stored_image_facts), or None.
    """
    tokens, formulas, clean, typeset_formulas = _render_body(body, images)
    rendered_title = render_title(title)
    plain = plain_text(tokens, formulas)
    written = plain.written()
    if summary and summary.strip():
        summary_text, summary_html, summary_feed_html = own_summary(summary)
    else:
        cut = cut_summary(plain.text, plain.formulas)
        summary_text = restore_sources(cut, plain.formulas)
        summary_html, summary_feed_html = summary_fragments(cut, plain.formulas)
    return RenderedArticle(
        body_html=insert_math(clean, typeset_formulas, formulas, PAGE),
        body_feed_html=insert_math(
            feed_images(strip_permalinks(clean)), typeset_formulas, formulas, FEED
        ),
        toc_html=insert_math(build_toc(tokens), typeset_formulas, formulas, PAGE),
        summary_text=summary_text,
        summary_html=summary_html,
        summary_feed_html=summary_feed_html,
        reading_minutes=reading_minutes(written),
        title_html=rendered_title.html,
        title_text=rendered_title.text,
        plain_text=written,
    )


def render_preview(text, images=None, source_lines=False):
    """The preview: exactly the stored page body HTML for the same text (and ``images``).
    ``source_lines`` (the editor's) adds ``data-source-line`` to blocks and broken formulas,
    with KaTeX's message; ``sourcemap.strip_source_map`` takes them out again."""
    too_long = body_length_error(text)
    if too_long:
        return f'<p class="render-error" role="alert">{html.escape(too_long)}</p>'
    if not source_lines:
        _, formulas, clean, typeset_formulas = _render_body(text, images)
        return insert_math(clean, typeset_formulas, formulas, PAGE)
    tokens, raw, formulas = render_markdown(text, images, source_lines=True)
    lines = formula_lines(tokens, text)
    clean = data_attributes(sanitise(raw))
    return insert_math(clean, typeset(formulas), formulas, PAGE, error_lines=lines)
