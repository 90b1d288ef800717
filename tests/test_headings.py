"""Heading ids (short, readable, unique), TOC entries with typeset formulas that all resolve,
and a permalink after each heading."""

import tomllib
from html.parser import HTMLParser
from pathlib import Path

from articles import rendering

NOTE = """\
# 线性注意力：把 $\\mathcal{O}(n^2)$ 降到 $\\mathcal{O}(n)$

## 概述

## 复杂度 \\( O(n \\log n) \\)

## 概述

### `softmax` 与 **核** 技巧

## $\\alpha$

## $$\\frac{a}{b}$$

## 一个非常非常长的标题，它说了很多很多很多的事情，比如 Proximal Policy Optimization 的剪切目标

## 🙂
"""


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.hrefs.append(attrs["href"][1:])


def anchors(fragment):
    parser = _Anchors()
    parser.feed(fragment)
    return parser


def test_heading_ids_are_short_readable_and_unique():
    ids = anchors(rendering.render_article(NOTE).body_html).ids
    assert ids[:6] == [
        "线性注意力-把-on2-降到-on",
        "概述",
        "复杂度-onlogn",
        "概述-2",
        "softmax-与-核-技巧",
        "alpha",
    ]
    assert ids[6] == "ab" and ids[7].startswith("一个非常") and len(ids[7]) <= 48
    assert ids[8] == "section" and len(set(ids)) == len(ids)
    assert not any(char in anchor for anchor in ids for char in "\\(){}^ ")


def test_every_toc_link_resolves_and_shows_the_formula_typeset():
    result = rendering.render_article(NOTE)
    toc = anchors(result.toc_html)
    assert toc.hrefs and set(toc.hrefs) <= set(anchors(result.body_html).ids)
    assert len(toc.hrefs) == 9
    assert result.toc_html.count('class="katex"') == 5
    assert (
        "mathph" not in result.toc_html
        and "\\mathcal" not in result.toc_html.split("<annotation")[0]
    )


def test_ids_are_stable_across_renders_and_edits_elsewhere():
    first = anchors(rendering.render_article(NOTE).body_html).ids
    edited = anchors(rendering.render_article(NOTE + "\n正文改动 $x$\n").body_html).ids
    assert first == edited


def test_each_heading_has_a_labelled_permalink():
    text = "## 概述\n\n## 复杂度 $O(n)$\n\n## $\\frac{a}{b}$ 比\n"
    html = rendering.render_article(text).body_html
    assert '<h2 id="概述">概述 <a class="heading-anchor" href="#概述"' in html
    assert 'aria-label="本节链接：概述" rel="noopener noreferrer">#</a></h2>' in html
    assert 'aria-label="本节链接：复杂度 O(n)"' in html  # the formula as readable text
    assert 'aria-label="本节链接：\\frac{a}{b} 比"' in html  # or as TeX
    result = rendering.render_article("## 概述\n\n正文\n")
    assert result.plain_text == "概述 正文"
    assert result.body_feed_html == '<h2 id="概述">概述</h2>\n<p>正文</p>\n'  # feeds go without


def test_authors_cannot_forge_ids_that_break_the_toc():
    text = '<h2 id="概述">手写</h2>\n\n## 概述\n\n## 方法\n\n## 结果\n'
    result = rendering.render_article(text)
    assert set(anchors(result.toc_html).hrefs) <= set(anchors(result.body_html).ids)


def test_demo_notes_toc_links_all_resolve():
    for path in sorted((Path(rendering.__file__).parent.parent / "demo").glob("*.toml")):
        note = tomllib.loads(path.read_text(encoding="utf-8"))
        result = rendering.render_article(note["body"])
        body = anchors(result.body_html)
        assert set(anchors(result.toc_html).hrefs) <= set(body.ids), path.name
        assert len(body.ids) == len(set(body.ids)), path.name
