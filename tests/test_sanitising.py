"""The XSS corpus (>=100 vectors) against the page, preview, feed and summary HTML."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from articles import rendering

VECTORS = [
    line.replace("\\n", "\n")
    for line in (Path(__file__).parent / "data" / "rendering" / "xss_vectors.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]
FORBIDDEN_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "form", "input",
    "button", "select", "textarea", "keygen", "base", "meta", "link", "svg", "video", "audio",
    "source", "body", "marquee", "isindex", "noscript", "bgsound",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "background", "xlink:href", "data"}


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = "".join((value or "").split()).lower()
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value.startswith(BAD_SCHEMES):
                self.problems.append(f"{tag}[{name}]={value}")
            if name == "style" and any(bad in value for bad in ("url(", "expression", "script")):
                self.problems.append(f"{tag}[style]={value}")
            if tag == "math" and name != "xmlns" and name != "display":
                self.problems.append(f"math[{name}]")


def problems(fragment):
    inspector = Inspector()
    inspector.feed(fragment)
    inspector.close()
    return inspector.problems


def test_corpus_is_large_enough():
    assert len(VECTORS) >= 100


@pytest.mark.parametrize("vector", VECTORS)
def test_vector_is_neutralised_everywhere(vector):
    body = f"正文开始\n\n{vector}\n\n正文结束"
    result = rendering.render_article(body)
    by_summary = rendering.render_article("正文", summary=vector)
    for name, fragment in {
        "page": result.body_html,
        "preview": rendering.render_preview(body),
        "feed": result.body_feed_html,
        "summary": result.summary_html,
        "summary_feed": result.summary_feed_html,
        "own_summary": by_summary.summary_html,
        "own_summary_feed": by_summary.summary_feed_html,
    }.items():
        assert problems(fragment) == [], name


def test_inspector_catches_what_it_should():
    assert problems('<a href=" JavaScript:alert(1)">x</a><img onerror=x><script></script>')
