"""Math in titles: typeset where the title is HTML, readable text where HTML cannot go."""

import json
from io import StringIO

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from articles import rendering
from articles.models import Article
from tests.factories import ArticleFactory

TITLE = r"线性注意力：把 $\mathcal{O}(n^2)$ 降到 $\mathcal{O}(n)$"
READABLE = "线性注意力：把 O(n²) 降到 O(n)"


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (TITLE, READABLE),
        (r"PPO 的 \(\epsilon\)-clip 与 $\theta_{2}$", "PPO 的 ϵ-clip 与 θ₂"),
        (r"$\theta_{t+1}$ 的更新", r"\theta_{t+1} 的更新"),
        (r"排序 $O(n \log n)$ 与 $10^{-3}$", "排序 O(n log n) 与 10⁻³"),
        (r"$\frac{1}{2}$ 与 $\alpha_t$", r"\frac{1}{2} 与 \alpha_t"),
        (r"坏公式 $\frac{1$", r"坏公式 \frac{1"),
        ("costs $5 and $10", "costs $5 and $10"),
        ("a < b & c", "a < b & c"),
    ],
)
def test_title_text_is_unicode_when_exact_else_the_tex(title, text):
    assert rendering.render_title(title).text == text == rendering.title_text(title)


def test_title_html_typesets_formulas_inline_and_escapes_the_rest():
    rendered = rendering.render_title(r"<b>粗</b> $$x^2$$ 与 \(y\)")
    assert rendered.html.startswith("&lt;b&gt;粗&lt;/b&gt; ")
    assert rendered.html.count('class="katex"') == 2 and "katex-display" not in rendered.html
    assert rendering.render_title("<i>无公式</i>").html == "&lt;i&gt;无公式&lt;/i&gt;"


@pytest.mark.django_db
def test_saved_note_stores_both_and_gets_a_readable_slug():
    note = ArticleFactory(title=TITLE, slug="")
    stored = Article.objects.get(pk=note.pk)
    assert stored.title_text == READABLE and 'class="katex"' in stored.title_html
    assert stored.slug == "线性注意力把-on2-降到-on"


@pytest.mark.django_db
def test_note_page_card_and_search_show_the_title_typeset(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows
        note = ArticleFactory(title=TITLE, body="正文：注意力的复杂度。")
    page = BeautifulSoup(client.get(note.get_absolute_url()).content, "html.parser")
    assert page.title.string.startswith(READABLE + " · ")
    assert page.find("meta", property="og:title")["content"] == READABLE
    assert page.find("meta", attrs={"name": "twitter:title"})["content"] == READABLE
    assert page.h1.find(class_="katex") is not None and "\\mathcal" not in page.h1.get_text("")[:9]
    home = BeautifulSoup(client.get(reverse("feeds:home")).content, "html.parser")
    assert home.select_one(".card-title .katex") is not None
    results = client.get(reverse("search:results"), {"q": "注意力"})
    found = BeautifulSoup(results.content, "html.parser")
    assert found.select_one(".card-title .katex") is not None


@pytest.mark.django_db
def test_feed_item_titles_are_the_readable_text(client):
    ArticleFactory(title=TITLE)
    for name in ("rss", "atom"):
        parsed = feedparser.parse(client.get(reverse(f"feeds:{name}")).content)
        assert parsed.entries[0].title == READABLE
    data = json.loads(client.get(reverse("feeds:json")).content)
    assert data["items"][0]["title"] == READABLE


@pytest.mark.django_db
def test_rerender_articles_fills_the_title_renders():
    note = ArticleFactory(title=TITLE)
    Article.objects.filter(pk=note.pk).update(title_html=TITLE, title_text=TITLE)
    call_command("rerender_articles", stdout=StringIO())
    assert Article.objects.get(pk=note.pk).title_text == READABLE
