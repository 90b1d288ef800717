from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """The search index entry of one note, kept by ``search.indexing``.

    The ``*_tokens`` columns hold segmented, lowercased text (words separated by spaces) for the
    database's word index: on PostgreSQL ``vector`` (title A, tags and category B, body C) and
    ``heading_vector`` (title and tags only), each with a GIN index; on SQLite the FTS5 table
    ``articles_search_fts`` over the same three columns, kept in step by triggers. ``labels``
    and ``plain_text`` are the original text, for snippets. Every note has one, drafts
    included: only the query decides what is public. On PostgreSQL the long columns are
    stored out of line (articles migration 0006), so ranking reads only short rows.
    """

    article = models.OneToOneField(
        "articles.Article",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    title_tokens = models.TextField()
    tags_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    labels = models.TextField(blank=True, help_text="Tag and category names, as written.")
    plain_text = models.TextField(blank=True, help_text="The body as plain text, as written.")
    vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only
    # PostgreSQL only: title and tag/category words alone, to find strong matches fast.
    heading_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        # The table was created by the articles app, before search became an app of its own
        # (articles 0007 / search 0001 moved the model without touching the table).
        db_table = "articles_searchdocument"

    def __str__(self):
        return f"Search document of note {self.article_id}"
