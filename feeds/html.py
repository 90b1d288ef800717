"""Feed HTML made to stand alone: a feed reader shows it away from our pages."""

import re
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin

URL_ATTRIBUTES = frozenset({"href", "src", "poster"})

# A start tag naming href, src or poster outside its quoted values: the only tags that can
# change, found without tokenizing the others (a note's MathML is hundreds of tags, its links
# a few; ten times faster). The stored feed HTML is written by nh3 and KaTeX: names in lower
# case, every "<" in text escaped, every attribute value quoted, no comments, scripts or
# styles, so "<" and a letter always start a tag.
_URL_TAG_RE = re.compile(
    r"""<[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*?(?:href|src|poster)(?:[^>"']|"[^"]*"|'[^']*')*>"""
)


def absolutize_urls(html, base_url):
    """Resolve every link and image URL in ``html`` against ``base_url`` (the note's own URL).

    ``/media/a.png`` becomes ``https://host/media/a.png``, ``#sec-2`` points into the note's
    page. The stored feed HTML is already sanitised: only the start tags that carry a relative
    URL are rewritten; every other byte (MathML included) is copied as it is.
    """
    if not html:
        return html
    return _URL_TAG_RE.sub(lambda match: _rewrite(match.group(0), base_url), html)


def _rewrite(start_tag, base_url):
    parser = _StartTag()
    parser.feed(start_tag)
    parser.close()
    if parser.found is None:
        return start_tag
    tag, attrs, close = parser.found
    rewritten = [
        (name, _absolute(base_url, value) if name in URL_ATTRIBUTES and value else value)
        for name, value in attrs
    ]
    if rewritten == attrs:
        return start_tag
    attributes = "".join(
        f" {name}" if value is None else f' {name}="{escape(value)}"' for name, value in rewritten
    )
    return f"<{tag}{attributes}{close}"


class _StartTag(HTMLParser):
    """One start tag's name and attributes, as the standard library's tokenizer reads them
    (names lowercased, values unescaped)."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found = None

    def handle_starttag(self, tag, attrs):
        self.found = (tag, attrs, ">")

    def handle_startendtag(self, tag, attrs):
        self.found = (tag, attrs, " />")


def _absolute(base_url, url):
    try:
        return urljoin(base_url, url.strip())
    except ValueError:  # e.g. "http://[" (a broken IPv6 host): leave it as written
        return url
