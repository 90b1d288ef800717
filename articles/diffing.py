"""Readable diffs of a note's Markdown source (Chinese included), for History and conflicts.

diff-match-patch compares character by character, then its semantic cleanup merges the
fragments into word- and phrase-sized changes, which suits Chinese (no spaces between words)
as well as English. Formulas are compared as the LaTeX source the author typed.
"""

from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Unchanged text longer than this is shown as its two ends around an ellipsis.
CONTEXT_CHARS = 160
# Seconds diff-match-patch may spend before settling for a coarser diff.
DIFF_TIMEOUT = 1.0


@dataclass(frozen=True)
class TextDiff:
    html: str  # safe HTML: <del>, <ins> and escaped text
    inserted: int  # characters
    deleted: int

    @property
    def changed(self):
        return bool(self.inserted or self.deleted)


def diff_text(old, new, *, context=CONTEXT_CHARS):
    """The changes from ``old`` to ``new`` as inline HTML with counts of characters."""
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_TIMEOUT
    operations = engine.diff_main(old or "", new or "")
    engine.diff_cleanupSemantic(operations)
    parts, inserted, deleted = [], 0, 0
    last = len(operations) - 1
    for index, (operation, text) in enumerate(operations):
        if operation == engine.DIFF_INSERT:
            inserted += len(text)
            parts.append(f"<ins>{escape(text)}</ins>")
        elif operation == engine.DIFF_DELETE:
            deleted += len(text)
            parts.append(f"<del>{escape(text)}</del>")
        else:
            parts.append(_elide(text, context, first=index == 0, final=index == last))
    return TextDiff(html=mark_safe("".join(parts)), inserted=inserted, deleted=deleted)


def _elide(text, context, *, first, final):
    """Unchanged text: its ends next to the changes, the middle cut to an ellipsis."""
    if context is None or len(text) <= 2 * context:
        return escape(text)
    head = "" if first else text[:context]
    tail = "" if final else text[-context:]
    return f'{escape(head)}<span class="diff-skip">…</span>{escape(tail)}'
