"""Tag parsing for the admin: full-width separators split tags as ASCII commas do."""

from taggit.utils import _parse_tags

FULL_WIDTH_SEPARATORS = str.maketrans({"，": ",", "、": ",", "；": ",", ";": ","})


def parse_tags(tagstring):
    """Parse a tag string as taggit does, treating ，、；; as commas (TAGGIT_TAGS_FROM_STRING)."""
    return _parse_tags((tagstring or "").translate(FULL_WIDTH_SEPARATORS))
