"""Front matter in YAML (``---``), TOML (``+++``) and JSON (``{ }``), read by python-frontmatter.

The library's handlers detect the format and parse the metadata. The body is cut here, at the
end of the closing delimiter's line, because the library's own split swallows the body's leading
blank lines and strips its end: a note's body must reach the renderer byte for byte.
"""

import json
import re
import tomllib
from datetime import date, datetime, time

import frontmatter
import tomli_w
import yaml
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from transfer.notes import SkipFile


class TOMLHandler(BaseHandler):
    """``+++`` front matter (Hugo): read with the standard library, written with tomli-w."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm, **kwargs):
        return tomllib.loads(fm)

    def export(self, metadata, **kwargs):
        return tomli_w.dumps(metadata).strip()


HANDLERS = {"yaml": YAMLHandler(), "toml": TOMLHandler(), "json": JSONHandler()}
# Python-Markdown / Hexo / Hugo summary dividers.
MORE_RE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")


def _line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def split(text):
    """``(metadata, body, body_line)`` of a file's text (``({}, text, 1)`` without front matter)."""
    handler = frontmatter.detect_format(text, HANDLERS.values())
    if handler is None:
        return {}, text, 1
    boundaries = list(handler.FM_BOUNDARY.finditer(text))
    if len(boundaries) < 2 or boundaries[0].start() != 0:
        raise SkipFile(_("front matter is not closed"), line=1)
    opening, closing = boundaries[0], boundaries[1]
    end_of_line = text.find("\n", closing.start())
    body_start = len(text) if end_of_line < 0 else end_of_line + 1
    if isinstance(handler, JSONHandler):
        fm_text = text[: closing.start() + 1]
    else:
        fm_text = text[text.find("\n", opening.start()) + 1 : closing.start()]
    try:
        metadata = handler.load(fm_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1  # the front matter starts on the file's line 2
        parts = [getattr(error, "context", None), getattr(error, "problem", None)]
        reason = " ".join(part for part in parts if part)
        reason = _("bad YAML front matter: %(error)s") % {"error": reason or error}
        raise SkipFile(reason, line=line) from error
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = int(found.group(1)) + 1 if found else 1
        reason = _("bad TOML front matter: %(error)s") % {"error": error}
        raise SkipFile(reason, line=line) from error
    except json.JSONDecodeError as error:
        reason = _("bad JSON front matter: %(error)s") % {"error": error.msg}
        raise SkipFile(reason, line=error.lineno) from error
    except (ValueError, TypeError) as error:  # YAML's 2024-13-45 is a "date" that does not exist
        reason = _("bad front matter value: %(error)s") % {"error": error}
        raise SkipFile(reason, line=1) from error
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise SkipFile(_("front matter is not a table of keys and values"), line=2)
    return metadata, text[body_start:], _line_of(text, body_start)


def key_line(text, key):
    """The line where front matter ``key`` is set (for messages), or 1."""
    found = re.search(rf'^\s*"?{re.escape(key)}"?\s*[:=]', text, re.MULTILINE)
    return _line_of(text, found.start()) if found else 1


def split_more(body):
    """``(before, body without the divider)`` at the first ``<!-- more -->`` outside code.

    ``before`` is None when there is no divider. A divider alone on its line goes with its
    line break, so the body reads as if it had never been there.
    """
    fence = None
    offset = 0
    for line in body.splitlines(keepends=True):
        opened = FENCE_RE.match(line)
        if fence is None and opened:
            fence = opened.group(1)[0] * len(opened.group(1))
        elif fence is not None and line.lstrip().startswith(fence):
            fence = None
        elif fence is None and (found := MORE_RE.search(line)):
            start, end = offset + found.start(), offset + found.end()
            if line.strip() == found.group(0):
                start, end = offset, offset + len(line)
            return body[:start], body[:start] + body[end:]
        offset += len(line)
    return None, body


def as_datetime(value):
    """A front-matter date (YAML/TOML date or datetime, or a string) as an aware datetime."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime.combine(value, time())
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            result = parse_datetime(text) or parse_datetime(text.replace("/", "-"))
            if result is None and (day := parse_date(text.replace("/", "-"))):
                result = datetime.combine(day, time())
        except ValueError:
            result = None
        if result is None:
            raise ValueError(_("not a date: %(value)r") % {"value": value})
    else:
        raise ValueError(_("not a date: %(value)r") % {"value": value})
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


def string_list(value):
    """Tags or categories as a flat list of names: a list (nested in Hexo), or "a, b"."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [name for item in value for name in string_list(item)]
    return [str(value)]


def clean_slug(value):
    """A slug from front matter: kept as written when it is one already, else slugified."""
    value = str(value).strip().strip("/")
    if "/" in value:  # a permalink or url: its last segment
        value = value.rsplit("/", 1)[-1]
    value = re.sub(r"\.html?$", "", value)
    if re.fullmatch(r"[-\w]+", value):
        return value
    return slugify(value, allow_unicode=True)


def draft_flag(metadata):
    """The source's own draft flag: Hugo ``draft``, Hexo/Jekyll ``published: false``, ..."""
    if metadata.get("draft") is True or str(metadata.get("draft")).lower() == "true":
        return True
    for key in ("published", "publish"):
        if metadata.get(key) is False or str(metadata.get(key)).lower() == "false":
            return True
    return str(metadata.get("status", "")).lower() in {"draft", "private", "pending"}


def dump(metadata, style, bare=False):
    """Front matter for ``metadata`` in ``style`` ("yaml" or "toml"), ending in a newline;
    ``bare``: without delimiters, as bytes (a config file)."""
    handler = HANDLERS[style]
    if style == "yaml":
        text = yaml.safe_dump(
            metadata, allow_unicode=True, sort_keys=False, width=float("inf")
        ).strip()
    else:
        text = handler.export(metadata)
    if bare:
        return f"{text}\n".encode()
    return f"{handler.START_DELIMITER}\n{text}\n{handler.END_DELIMITER}\n"
