"""Feed formats: Django's RSS 2.0 and Atom 1.0 generators, plus a generator element and full
content, and a JSON Feed 1.1 generator that plugs into the same feed classes.

Items may carry two extra keys (from ``StreamFeed.item`` in feeds.py): ``content``, the full body
HTML of the full-content variant, and ``summary_text``, the plain-text summary.
"""

import json
from io import StringIO

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed, rfc3339_date

GENERATOR = "notes_site"


class WholeDocumentWrite:
    """Hands the XML document to the response in one piece: Django's generators write every
    tag and text straight to it, each a chunk of its own (a thousand for 20 items)."""

    def write(self, outfile, encoding):
        document = StringIO()
        super().write(document, encoding)
        # As XMLGenerator encodes for a binary file.
        outfile.write(document.getvalue().encode(encoding, "xmlcharrefreplace"))


class RssFeed(WholeDocumentWrite, Rss201rev2Feed):
    """RSS 2.0; the full body goes in ``content:encoded``, the summary stays the description."""

    format_name = "rss"

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("generator", GENERATOR)

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class AtomFeed(WholeDocumentWrite, Atom1Feed):
    """Atom 1.0; the full body goes in ``<content type="html">`` next to the summary."""

    format_name = "atom"

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("generator", GENERATOR)

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class JsonFeed(SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""

    format_name = "json"
    content_type = "application/feed+json; charset=utf-8"
    version = "https://jsonfeed.org/version/1.1"

    def write(self, outfile, encoding):
        outfile.write(json.dumps(self.document(), ensure_ascii=False, indent=2))

    def document(self):
        feed = self.feed
        document = {
            "version": self.version,
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["subtitle"] or feed["description"],
            "language": feed["language"],
            "items": [self.item_document(item) for item in self.items],
        }
        return {key: value for key, value in document.items() if value is not None}

    def item_document(self, item):
        document = {
            "id": item["unique_id"] or item["link"],
            "url": item["link"],
            "title": item["title"],
            "content_html": item.get("content") or item["description"],
            "summary": item.get("summary_text"),
            "date_published": item["pubdate"] and rfc3339_date(item["pubdate"]),
            "date_modified": item["updateddate"] and rfc3339_date(item["updateddate"]),
            "authors": [{"name": item["author_name"]}] if item["author_name"] else None,
            "tags": list(item["categories"]) or None,
        }
        return {key: value for key, value in document.items() if value is not None}
