"""Parsing what a reader types into the search box.

Syntax: several terms (all must match), ``"a quoted phrase"``, ``-exclusion`` (also
``-"phrase"``). Everything else is text: operators of the databases' own query languages
(AND, OR, NEAR, ``*``, ``:``, ``^``) are never passed through, and a lone quote is ignored.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings

from search import segmenter

# Chinese and typographic quotes count as quotes.
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"', "＂": '"'})
_TERM_RE = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"|(?P<word>\S+)')


@dataclass(frozen=True)
class Term:
    text: str  # as typed, whitespace normalised (phrases are matched on the original text)
    tokens: tuple[str, ...]  # segmented, lowercased words
    phrase: bool = False
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the cleaned query, as shown back in the search box
    terms: tuple[Term, ...]

    @property
    def positive(self):
        return [term for term in self.terms if not term.negated]

    @property
    def negative(self):
        return [term for term in self.terms if term.negated]

    @property
    def is_empty(self):
        """True when nothing must match: such a query finds nothing."""
        return not self.positive

    @property
    def highlight_words(self):
        """What to mark in snippets: phrases as typed, then every positive word."""
        words = [term.text for term in self.positive if term.phrase]
        for term in self.positive:
            words.extend(term.tokens)
        return words


def clean(text):
    """The query without control characters, whitespace collapsed, capped in length."""
    text = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in text or ""
    )
    return " ".join(text.split())[: settings.SEARCH_MAX_QUERY_LENGTH].strip()


def parse(text):
    cleaned = clean(text)
    terms = []
    for match in _TERM_RE.finditer(cleaned.translate(_QUOTES)):
        if match.group("word") is not None:
            word = match.group("word")
            negated = word.startswith("-") and len(word) > 1
            source = word[1:] if negated else word
            phrase = False
        else:
            negated, source, phrase = bool(match.group("neg")), match.group("phrase"), True
        source = " ".join(source.replace('"', " ").split())
        tokens = tuple(segmenter.query_tokens(source))
        if not tokens:
            continue
        # A "phrase" of one word is just that word.
        phrase = phrase and len(tokens) > 1
        terms.append(Term(text=source, tokens=tokens, phrase=phrase, negated=negated))
    return ParsedQuery(text=cleaned, terms=tuple(terms))
