"""The table of contents: links to the heading anchors markdown-it gave the headings."""

import html

from articles.rendering.plaintext import inline_text


def build_toc(tokens, min_headings=3):
    """A nested <ul> of links to the heading anchors; "" when there are too few headings."""
    headings = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.attrGet("id"):
            title = inline_text(tokens[i + 1])
            headings.append((int(token.tag[1]), str(token.attrGet("id")), title))
    if len(headings) < min_headings:
        return ""
    base = min(level for level, _, _ in headings)
    parts, depth = [], -1
    for level, anchor, title in headings:
        level = min(level - base, depth + 1)
        if level == depth + 1:
            parts.append("<ul>")
        else:
            parts.append("</li>" + "</ul></li>" * (depth - level))
        parts.append(f'<li><a href="#{html.escape(anchor)}">{html.escape(title)}</a>')
        depth = level
    parts.append("</li>" + "</ul></li>" * depth + "</ul>")
    return "".join(parts)
