"""Chinese/English segmentation shared by indexing and querying.

Both sides use jieba with the domain dictionary (``userdict.txt``) and without the HMM guesser,
so that the same string is cut the same way in a note and in a query. Text is NFKC-normalised
(full-width letters become ASCII) and lowercased; tokens are runs of letters and digits only,
which is all the database word tokenizers see.

The jieba dictionary takes over a second to load, so it is loaded once per process
(``warm_up()`` from ``ArticlesConfig.ready``), never per request.
"""

import logging
import re
import threading
import unicodedata
from pathlib import Path

import jieba
import regex

USER_DICTIONARY = Path(__file__).with_name("userdict.txt")

_lock = threading.Lock()
_tokenizer = None

# Letters and digits of any script; underscores and punctuation separate tokens, as they do
# for PostgreSQL's parser and SQLite's unicode61 tokenizer.
_TOKEN_RE = re.compile(r"[^\W_]+")
_HAN_RE = regex.compile(r"\p{Han}")


def get_tokenizer():
    """The process-wide jieba tokenizer with the domain dictionary loaded."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                tokenizer.load_userdict(str(USER_DICTIONARY))
                _tokenizer = tokenizer
    return _tokenizer


def warm_up():
    """Load the dictionary now (at start-up) rather than on the first search or save."""
    get_tokenizer()


def normalise(text):
    return unicodedata.normalize("NFKC", text).lower()


def _split(pieces):
    result = []
    for piece in pieces:
        result.extend(_TOKEN_RE.findall(piece))
    return result


def _dictionary_parts(tokenizer, word):
    """The dictionary words inside ``word`` (every length, unlike jieba's cut_for_search)."""
    for size in range(2, len(word)):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            if tokenizer.FREQ.get(part):
                yield part


def index_tokens(text):
    """Tokens for the index: the words in order (as ``query_tokens`` cuts them, so that a
    phrase is found as consecutive tokens), then the dictionary words inside longer words, so
    that 深度强化学习 is also found by 强化学习, 强化 and 学习, then each distinct Chinese
    character once, so that a one-character query (熵) finds 交叉熵 through the index too."""
    tokenizer = get_tokenizer()
    text = normalise(text)
    words = list(tokenizer.cut(text, HMM=False))
    parts = [part for word in words if len(word) > 2 for part in _dictionary_parts(tokenizer, word)]
    return _split([*words, *parts, *dict.fromkeys(_HAN_RE.findall(text))])


def query_tokens(text):
    """Tokens of one query term: whole words only, so 强化学习 matches as one word."""
    return _split(get_tokenizer().cut(normalise(text), HMM=False))


def segment(text):
    """``text`` as space-separated index tokens, ready for a database word tokenizer."""
    return " ".join(index_tokens(text))
