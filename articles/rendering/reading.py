"""Reading time."""

import regex

_HAN_RE = regex.compile(r"\p{Han}")
_WORD_RE = regex.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def reading_minutes(plain_text):
    """Chinese at ~400 characters a minute plus English at ~200 words a minute; at least 1."""
    han = len(_HAN_RE.findall(plain_text))
    words = len(_WORD_RE.findall(plain_text))
    return max(1, round(han / 400 + words / 200))
