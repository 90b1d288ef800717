"""WordPress exports (WXR XML): posts, their HTML converted to Markdown with the math untouched.

WordPress does not export its media: put the site's ``wp-content/uploads`` folder (or
``uploads``) beside the XML file, and images linked from posts are found there.
"""

import html
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, ElementTree
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from markdownify import MarkdownConverter

from articles.rendering import extract_math, markdown_plain_text
from articles.rendering.formulas import PLACEHOLDER_RE
from transfer import frontmatter as fm
from transfer.formats.markdown import MarkdownFormat
from transfer.notes import ParsedNote, SkipFile, SourceFile

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
# [latex]x^2[/latex], [latex display="true"]...[/latex], and WordPress.com's $latex x^2$.
LATEX_SHORTCODE_RE = re.compile(r"\[latex([^\]]*)\](.*?)\[/latex\]", re.DOTALL | re.IGNORECASE)
DOLLAR_LATEX_RE = re.compile(r"\$latex\s+(.+?)\$", re.DOTALL)
CODE_SHORTCODE_RE = re.compile(
    r"\[(code|sourcecode)(?:\s+(?:lang|language)=[\"']?(\w+)[\"']?)?[^\]]*\](.*?)\[/\1\]",
    re.DOTALL | re.IGNORECASE,
)
CAPTION_RE = re.compile(r"\[/?caption[^\]]*\]", re.IGNORECASE)
# Code stays code: math is never looked for inside these.
CODE_ELEMENT_RE = re.compile(r"(<(pre|code)\b[^>]*>.*?</\2>)", re.DOTALL | re.IGNORECASE)
BLOCK_TAG_RE = re.compile(r"^\s*<(?:p|div|h\d|ul|ol|pre|blockquote|table|figure|hr)\b", re.I)
GUTENBERG_RE = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
SIZED_IMAGE_RE = re.compile(r"-\d+x\d+(?=\.\w+$)")
NOT_PUBLISHED = {"draft", "pending", "private", "auto-draft"}


def _child_text(element, local, ns_part="wordpress.org/export"):
    for child in element:
        namespace, _brace, name = child.tag.rpartition("}")
        if (
            name == local
            and ns_part in namespace
            and ("excerpt" in namespace) == ("excerpt" in ns_part)
        ):
            return child.text or ""
    return ""


class _Converter(MarkdownConverter):
    def __init__(self):
        super().__init__(heading_style="ATX", bullets="-", code_language_callback=self._language)

    @staticmethod
    def _language(pre):
        for element in (pre, pre.find("code")):
            for name in (element.get("class") or []) if element else []:
                if name.startswith(("language-", "lang-")):
                    return name.split("-", 1)[1]
        return pre.get("lang") or ""


def _autop(text):
    """WordPress stores paragraphs as blank lines (wpautop runs at display): make them <p>."""
    chunks = re.split(r"\n\s*\n", text)
    return "\n".join(c if BLOCK_TAG_RE.match(c) else f"<p>{c.strip()}</p>" for c in chunks if c)


def html_to_markdown(text):
    """WordPress post HTML -> Markdown, every formula and code block byte for byte."""
    code_blocks, formulas = [], []
    tag = secrets.token_hex(4)  # placeholders nobody can write in a post
    text = GUTENBERG_RE.sub("", text)
    bare = not re.search(r"<p[\s>]", text, re.IGNORECASE)

    def keep_code(match):
        language, code = match.group(2) or "", html.unescape(match.group(3).strip("\n"))
        code_blocks.append(f"```{language}\n{code}\n```")
        token = f"code{tag}x{len(code_blocks) - 1}x"
        return f"\n\n{token}\n\n" if bare else f"<p>{token}</p>"

    def latex(match):
        tex = match.group(2).strip()
        return f"$${tex}$$" if "display" in match.group(1) else f"${tex}$"

    text = CODE_SHORTCODE_RE.sub(keep_code, text)
    text = LATEX_SHORTCODE_RE.sub(latex, DOLLAR_LATEX_RE.sub(lambda m: f"${m.group(1)}$", text))
    text = CAPTION_RE.sub("", text)
    if bare:
        text = _autop(text)

    def protect(piece):
        found, piece_formulas = extract_math(piece)

        def token(match):
            formulas.append(html.unescape(piece_formulas[int(match.group(1))].source))
            return f"math{tag}x{len(formulas) - 1}x"

        return PLACEHOLDER_RE.sub(token, found)

    parts = CODE_ELEMENT_RE.split(text)
    # split() with two groups gives [prose, element, tag name, prose, ...].
    text = "".join(
        piece if i % 3 == 1 else protect(piece) for i, piece in enumerate(parts) if i % 3 != 2
    )
    markdown = _Converter().convert(text).strip() + "\n"
    markdown = re.sub(rf"math{tag}x(\d+)x", lambda m: formulas[int(m.group(1))], markdown)
    return re.sub(rf"code{tag}x(\d+)x", lambda m: code_blocks[int(m.group(1))], markdown)


def _wp_date(item, key):
    value = _child_text(item, f"{key}_gmt").strip()
    if value and not value.startswith("0000"):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    value = _child_text(item, key).strip()
    if value and not value.startswith("0000"):
        return timezone.make_aware(datetime.fromisoformat(value))
    return None


class WXRFormat(MarkdownFormat):
    name = "wxr"

    def detect(self, path):
        if path.is_file() and path.suffix.lower() == ".xml":
            with path.open("rb") as file:
                head = file.read(4096)
            if b"wordpress.org/export" in head:
                return path.parent
        return None

    def discover(self, path, root):
        raw = path.read_bytes()
        try:
            channel = ElementTree.fromstring(raw).find("channel")
        except ParseError as error:
            reason = _("not well-formed XML: %(error)s") % {"error": error}
            raise SkipFile(reason, line=error.position[0]) from error
        except DefusedXmlException as error:  # entity expansion, external references
            raise SkipFile(_("refused XML: %(error)r") % {"error": error}) from error
        site = (channel.findtext("link") or "").rstrip("/") if channel is not None else ""
        sources = []
        for item in channel.iter("item") if channel is not None else []:
            if _child_text(item, "post_type") != "post":
                continue
            post_id = _child_text(item, "post_id").strip()
            found = raw.find(f"<wp:post_id>{post_id}</wp:post_id>".encode())
            line = raw.count(b"\n", 0, found) + 1 if found >= 0 else None
            sources.append(
                SourceFile(
                    format=self.name,
                    key=f"{site}#{post_id}",
                    label=f"{path.name}#{post_id}",
                    root=root,
                    path=path,
                    payload=(item, line),
                )
            )
        return sources

    def parse(self, source):
        item, line = source.payload
        title = " ".join((item.findtext("title") or "").split())
        content = item.find(f"{{{CONTENT_NS}}}encoded")
        content = content.text if content is not None and content.text else ""
        if not content.strip():
            raise SkipFile(_("empty body"), line=line)
        if not title or len(title) > 200:
            raise SkipFile(_("no title, or a title longer than 200 characters"), line=line)
        try:
            published_at = _wp_date(item, "post_date")
            revised_at = _wp_date(item, "post_modified")
        except ValueError as error:
            raise SkipFile(_("post_date: %(error)s") % {"error": error}, line=line) from error
        before, content = fm.split_more(content)
        status = _child_text(item, "status").strip()
        note = ParsedNote(
            source=source,
            title=title,
            body=html_to_markdown(content),
            slug=fm.clean_slug(unquote(_child_text(item, "post_name")) or title),
            published_at=published_at,
            revised_at=revised_at,
            draft=status in NOT_PUBLISHED,
            categories=self._terms(item, "category"),
            tags=self._terms(item, "post_tag"),
            base_dir=source.root,
            body_line=line or 1,
        )
        excerpt = strip_tags(_child_text(item, "encoded", "excerpt")).strip()
        if excerpt:
            note.summary = " ".join(html.unescape(excerpt).split())
        elif before and before.strip():
            note.summary = markdown_plain_text(html_to_markdown(before))
        return note

    @staticmethod
    def _terms(item, domain):
        return [
            " ".join((element.text or "").split())
            for element in item.findall("category")
            if element.get("domain") == domain and (element.text or "").strip()
        ]

    def image_path_candidates(self, note, ref):
        path = unquote(urlsplit(ref).path)
        if "/wp-content/uploads/" in path:
            relative = path.split("/wp-content/uploads/", 1)[1]
        elif path.startswith("/") or not ref.startswith(("http:", "https:")):
            relative = path.lstrip("/")
        else:
            return []
        original = SIZED_IMAGE_RE.sub("", relative)  # a resized copy: the original if present
        root = Path(note.source.root)
        return [
            root / folder / name
            for name in dict.fromkeys([relative, original])
            for folder in ("wp-content/uploads", "uploads", ".")
        ]


FORMAT = WXRFormat()
