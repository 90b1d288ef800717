"""Running a parsed query against the index: one entry point, two database backends.

``search(queryset, text)`` narrows any Article queryset (the public ``published()`` one for
readers, all notes for the admin) to the notes matching ``text`` and annotates ``search_rank``;
``ranked()`` orders by it, recency (then id) breaking ties. Query words reach the database only
as quoted lexemes built from segmented tokens (letters and digits), never as query-language
syntax.

Matching uses the word index: on PostgreSQL ``to_tsquery('simple', ...)`` against the stored
tsvector (GIN index), on SQLite an FTS5 MATCH on ``articles_search_fts``. Ranking is the same
rule on both, computed in the database from the short title and tag token columns: each
positive term scores 4 when it is in the title, else 2 when it is in the tag or category
names, else 1 (the body); the sum orders results. So title matches come above tag matches
above body matches, and the same data gives the same order on both databases.

With ``limit`` (the public page), only the best ``limit`` matches are ranked, without visiting
every match of a common word: the candidates are the notes with a query word in their title or
tags (an index of their own) plus the ``limit`` newest matches. Body-only matches rank by date
after all title/tag matches, so this gives exactly the first ``limit`` results.

Phrases must also appear, as typed, in the title, the tag/category names or the body text
(case-insensitive). Every Chinese character is also indexed on its own, so a one-character
query (熵) finds the notes that contain it anywhere, through the index.
"""

from functools import reduce
from operator import add

from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import Case, IntegerField, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from articles.search.query import parse

TITLE_SCORE, LABEL_SCORE, BODY_SCORE = 4, 2, 1


def _negative_words(parsed):
    """Excluded words go to the word index; excluded phrases are checked on the text."""
    return [term for term in parsed.negative if not term.phrase]


class PostgreSQLBackend:
    """``to_tsquery('simple', …)`` on the stored tsvectors (GIN indexes)."""

    @staticmethod
    def _group(term):
        lexemes = [f"'{token}'" for token in term.tokens]
        return f"({' & '.join(lexemes)})"

    def _tsquery(self, expression):
        return SearchQuery(expression, search_type="raw", config="simple")

    def matching(self, queryset, parsed):
        parts = [self._group(term) for term in parsed.positive]
        parts += [f"!{self._group(term)}" for term in _negative_words(parsed)]
        return queryset.filter(search_document__vector=self._tsquery(" & ".join(parts)))

    def in_headings(self, queryset, parsed):
        any_word = " | ".join(self._group(term) for term in parsed.positive)
        return queryset.filter(search_document__heading_vector=self._tsquery(any_word))

    def union(self, first, second):
        return first.union(second)


class SQLiteBackend:
    """FTS5 MATCH on ``articles_search_fts`` (only quoted tokens, no FTS5 syntax from users)."""

    TABLE = "articles_search_fts"

    @staticmethod
    def _group(term):
        return "(" + " AND ".join(f'"{token}"' for token in term.tokens) + ")"

    def _rowids(self, expression):
        sql = f"SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s"
        return RawSQL(sql, [expression])

    def matching(self, queryset, parsed):
        expression = " AND ".join(self._group(term) for term in parsed.positive)
        for term in _negative_words(parsed):
            expression = f"({expression}) NOT {self._group(term)}"
        return queryset.filter(pk__in=self._rowids(expression))

    def in_headings(self, queryset, parsed):
        any_word = " OR ".join(self._group(term) for term in parsed.positive)
        return queryset.filter(pk__in=self._rowids(f"{{title_tokens tags_tokens}} : ({any_word})"))

    def union(self, first, second):
        # SQLite allows no LIMIT inside a compound SELECT.
        return None


BACKENDS = {"postgresql": PostgreSQLBackend(), "sqlite": SQLiteBackend()}


def backend_for(queryset):
    vendor = connections[queryset.db].vendor
    try:
        return BACKENDS[vendor]
    except KeyError:
        raise NotImplementedError(f"No search backend for {vendor}") from None


def _text_q(text, negated=False):
    condition = (
        Q(title__icontains=text)
        | Q(search_document__labels__icontains=text)
        | Q(search_document__plain_text__icontains=text)
    )
    return ~condition if negated else condition


def _padded(field):
    """The token column with a space at each end, so that " word " finds whole tokens."""
    return Concat(Value(" "), field, Value(" "), output_field=TextField())


def _scored(queryset, parsed):
    """Annotate ``search_rank``: the sum over positive terms of where each one was found."""
    queryset = queryset.alias(
        search_title_padded=_padded("search_document__title_tokens"),
        search_labels_padded=_padded("search_document__tags_tokens"),
    )

    def within(field, term):
        return Q(*[Q(**{f"{field}__contains": f" {token} "}) for token in term.tokens])

    scores = [
        Case(
            When(within("search_title_padded", term), then=Value(TITLE_SCORE)),
            When(within("search_labels_padded", term), then=Value(LABEL_SCORE)),
            default=Value(BODY_SCORE),
            output_field=IntegerField(),
        )
        for term in parsed.positive
    ]
    return queryset.annotate(search_rank=reduce(add, scores))


def _candidates(queryset, matches, parsed, backend, limit):
    """Enough matches to rank the first ``limit`` exactly (see the module docstring)."""
    in_headings = backend.in_headings(matches, parsed).order_by().values("pk")
    newest = matches.order_by("-published_at", "-id").values("pk")[:limit]
    union = backend.union(in_headings, newest)
    if union is not None:
        return queryset.filter(pk__in=union)
    return queryset.filter(Q(pk__in=in_headings) | Q(pk__in=newest))


def matching(queryset, parsed):
    """Every note of ``queryset`` matching ``parsed``, unranked."""
    if parsed.is_empty:
        return queryset.none()
    matches = backend_for(queryset).matching(queryset, parsed)
    for term in parsed.terms:
        if term.phrase:
            matches = matches.filter(_text_q(term.text, negated=term.negated))
    return matches


def search(queryset, text_or_parsed, *, limit=None):
    """``queryset`` narrowed to the notes matching the query, annotated with ``search_rank``.

    With ``limit``, at least the best ``limit`` matches are kept (and perhaps a few more).
    """
    parsed = parse(text_or_parsed) if isinstance(text_or_parsed, str) else text_or_parsed
    if parsed.is_empty:
        return queryset.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    matches = matching(queryset, parsed)
    if limit is not None:
        matches = _candidates(queryset, matches, parsed, backend_for(queryset), limit)
    return _scored(matches, parsed)


def ranked(queryset):
    """Best match first; recency, then id, break ties."""
    return queryset.order_by("-search_rank", "-published_at", "-id")
