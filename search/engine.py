"""Running a parsed query against the index: one entry point, two database backends.

How matching, ranking, phrases and the per-page candidate limit work: docs/search-engine.md.
"""

from functools import reduce
from operator import add

from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, Func, IntegerField, Q, TextField, Value, When
from django.db.models.expressions import RawSQL

from search.models import SearchDocument
from search.query import parse

TITLE_SCORE, LABEL_SCORE, BODY_SCORE = 4, 2, 1


class PostgreSQLBackend:
    """``to_tsquery('simple', …)`` on the stored tsvectors (GIN indexes)."""

    @staticmethod
    def _group(term, as_phrase=True):
        lexemes = [f"'{token}'" for token in term.tokens]
        operator = " <-> " if term.phrase and as_phrase else " & "
        return f"({operator.join(lexemes)})"

    def _tsquery(self, expression):
        return SearchQuery(expression, search_type="raw", config="simple")

    def _all_terms(self, parsed, positive_phrases=True):
        parts = [self._group(term, positive_phrases) for term in parsed.positive]
        parts += [f"!{self._group(term)}" for term in parsed.negative]
        return self._tsquery(" & ".join(parts))

    def matching(self, queryset, parsed):
        return queryset.filter(search_document__vector=self._all_terms(parsed))

    def in_headings(self, queryset, parsed):
        """Matches with every word of some positive term in the title or tags (in any order,
        as ``_scored`` counts them).

        The index cannot tell word order: checking a phrase means reading the note's whole
        tsvector. Here the words are found through the index and a phrase is first looked for
        in the short title/tag vector, which, for a strong match, usually holds it.
        """
        any_word = " | ".join(self._group(term, as_phrase=False) for term in parsed.positive)
        queryset = queryset.filter(
            search_document__heading_vector=self._tsquery(any_word),
            search_document__vector=self._all_terms(parsed, positive_phrases=False),
        )
        for term in parsed.positive:
            if term.phrase:
                phrase = self._tsquery(self._group(term))
                queryset = queryset.filter(
                    Q(search_document__heading_vector=phrase) | Q(search_document__vector=phrase)
                )
        return queryset

    def union(self, first, second):
        return first.union(second)

    def count(self, queryset, parsed, cap):
        """The matches, counted up to ``cap``, reading the word index only once.

        Left to itself, the planner checks ``vector @@`` row by row along the primary key,
        reading each note's whole tsvector (it does not know they are stored out of line).
        A materialised CTE makes it take the matches from the GIN index instead, and, as it
        is read lazily, stop after ``cap`` of them are found in ``queryset``.
        """
        documents = SearchDocument.objects.using(queryset.db).filter(vector=self._all_terms(parsed))
        try:
            notes_sql, notes_params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return 0
        documents_sql, documents_params = documents.values("article_id").query.sql_with_params()
        sql = (
            f"WITH search_matches AS MATERIALIZED ({documents_sql}) "
            "SELECT count(*) FROM (SELECT 1 FROM search_matches "
            f"WHERE article_id IN ({notes_sql}) LIMIT %s) capped"
        )
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, (*documents_params, *notes_params, cap))
            return cursor.fetchone()[0]


class SQLiteBackend:
    """FTS5 MATCH on ``articles_search_fts`` (only quoted tokens, no FTS5 syntax from users)."""

    TABLE = "articles_search_fts"

    @staticmethod
    def _group(term, as_phrase=True):
        operator = " + " if term.phrase and as_phrase else " AND "
        return "(" + operator.join(f'"{token}"' for token in term.tokens) + ")"

    def _rowids(self, expression):
        sql = f"SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s"
        return RawSQL(sql, [expression])

    def matching(self, queryset, parsed):
        expression = " AND ".join(self._group(term) for term in parsed.positive)
        for term in parsed.negative:
            expression = f"({expression}) NOT {self._group(term)}"
        return queryset.filter(pk__in=self._rowids(expression))

    def in_headings(self, queryset, parsed):
        """Matches with every word of some positive term in the title or tags."""
        queryset = self.matching(queryset, parsed)
        any_word = " OR ".join(self._group(term, as_phrase=False) for term in parsed.positive)
        return queryset.filter(pk__in=self._rowids(f"{{title_tokens tags_tokens}} : ({any_word})"))

    def union(self, first, second):
        # SQLite allows no LIMIT inside a compound SELECT.
        return None

    def count(self, queryset, parsed, cap):
        return self.matching(queryset, parsed).order_by().values("pk")[:cap].count()


BACKENDS = {"postgresql": PostgreSQLBackend(), "sqlite": SQLiteBackend()}


def backend_for(queryset):
    vendor = connections[queryset.db].vendor
    try:
        return BACKENDS[vendor]
    except KeyError:
        raise NotImplementedError(f"No search backend for {vendor}") from None


class _Padded(Func):
    """The token column with a space at each end, so that " word " finds whole tokens.

    Not ``Concat``: the columns are never NULL, and its COALESCE around every part is SQL
    compiled anew for each term on every search.
    """

    template = "(' ' || %(expressions)s || ' ')"
    output_field = TextField()


def _scored(queryset, parsed):
    """Annotate ``search_rank``: the sum over positive terms of where each one was found."""
    queryset = queryset.alias(
        search_title_padded=_Padded("search_document__title_tokens"),
        search_labels_padded=_Padded("search_document__tags_tokens"),
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
    in_headings = ranked(_scored(backend.in_headings(queryset, parsed), parsed))
    in_headings = in_headings.values("pk")[:limit]
    newest = matches.order_by("-published_at", "-id").values("pk")[:limit]
    union = backend.union(in_headings, newest)
    if union is not None:
        return queryset.filter(pk__in=union)
    return queryset.filter(Q(pk__in=in_headings) | Q(pk__in=newest))


def matching(queryset, parsed):
    """Every note of ``queryset`` matching ``parsed``, unranked."""
    if parsed.is_empty:
        return queryset.none()
    return backend_for(queryset).matching(queryset, parsed)


def count(queryset, parsed, cap):
    """How many notes of ``queryset`` match ``parsed``, counted up to ``cap``."""
    if parsed.is_empty:
        return 0
    return backend_for(queryset).count(queryset, parsed, cap)


def search(queryset, text_or_parsed, *, limit=None):
    """``queryset`` narrowed to the notes matching the query, annotated with ``search_rank``.

    With ``limit``, at least the best ``limit`` matches are kept (and at most twice as many).
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
