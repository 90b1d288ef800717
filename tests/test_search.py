"""Search relevance on a small corpus, public boundary, snippets, page and admin.

Run under both databases: the expected orders below are the "same top results" contract
(``DATABASE_URL=postgres://… pytest tests/test_search*.py``).
"""

import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from search.engine import count, ranked
from search.engine import search as engine_search
from search.query import parse
from search.selectors import public_search
from tests.factories import ArticleFactory, CategoryFactory
from tests.factories_series import SeriesFactory, SeriesPartFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def days_ago(n):
    return timezone.now() - n * DAY


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run the on-commit indexing of what is created inside ``with indexed():``."""

    def context():
        return django_capture_on_commit_callbacks(execute=True)

    return context


CORPUS = Path(__file__).parent / "data" / "search_corpus.toml"
CATEGORY_NAMES = {"generative": "generative", "llm": "LLM", "rl": "RL", "systems": "systems"}


@pytest.fixture
def corpus(indexed):
    """The notes of tests/data/search_corpus.toml, by their names there."""
    categories = {
        slug: CategoryFactory(name=name, slug=slug) for slug, name in CATEGORY_NAMES.items()
    }
    entries = tomllib.loads(CORPUS.read_text())
    with indexed():
        return {
            key: ArticleFactory(
                title=entry["title"],
                category=categories[entry["category"]],
                tags=entry["tags"],
                published_at=days_ago(entry["days_ago"]),
                body=entry["body"],
            )
            for key, entry in entries.items()
        }


def slugs(response):
    return [article.slug for article in response.context["articles"]]


def search(client, **params):
    response = client.get(reverse("search:results"), params)
    assert response.status_code == 200
    return response


def found(client, q, **params):
    return slugs(search(client, q=q, **params))


def test_two_character_chinese_word(client, corpus):
    assert found(client, "显存") == [corpus["kv_cache"].slug]


def test_four_character_domain_word_matches_whole(client, corpus):
    assert found(client, "蒙特卡洛") == [corpus["monte_carlo"].slug]
    # 重参数 is one word: the note about 参数高效微调 does not match it.
    assert found(client, "重参数") == [corpus["reparam"].slug]


def test_english_term_inside_a_chinese_sentence_any_case(client, corpus):
    assert found(client, "LoRA") == [corpus["lora"].slug]
    assert found(client, "lora") == [corpus["lora"].slug]


def test_mixed_chinese_english_query_needs_all_terms(client, corpus):
    assert found(client, "LoRA 微调") == [corpus["lora"].slug]
    assert found(client, "LoRA 显存") == []


def test_phrase_matches_words_in_that_order(client, corpus):
    assert set(found(client, "KV cache")) == {corpus["kv_cache"].slug, corpus["cache_kv"].slug}
    assert found(client, '"KV cache"') == [corpus["kv_cache"].slug]
    assert found(client, "“KV cache”") == [corpus["kv_cache"].slug]


def test_phrase_is_consecutive_words_whatever_the_spacing_case_and_punctuation(client, indexed):
    with indexed():
        rl = ArticleFactory(title="训练笔记", body="## 概述\n\n我们使用强化学习训练智能体。")
        other = ArticleFactory(title="方法笔记", body="## 概述\n\n强化学习可以使用很多方法。")
        hyphen = ArticleFactory(title="加速笔记", body="## 概述\n\n用 KV-Cache 加速推理。")
    # 强化学习 is indexed with its parts (强化, 学习): the phrase still sees the words in order.
    assert found(client, '"使用强化学习"') == [rl.slug]
    assert found(client, '"使用 强化学习"') == [rl.slug]
    assert set(found(client, "使用 强化学习")) == {rl.slug, other.slug}
    assert found(client, '"强化学习 使用"') == []
    assert found(client, '"kv cache"') == [hyphen.slug]


def test_exclusion(client, corpus):
    assert set(found(client, "策略梯度")) == {corpus["reinforce"].slug, corpus["ppo"].slug}
    assert found(client, "策略梯度 -REINFORCE") == [corpus["ppo"].slug]
    assert found(client, 'cache -"KV cache"') == [corpus["cache_kv"].slug]


def test_tag_name_finds_notes_that_never_say_it(client, corpus):
    assert found(client, "强化学习") == [corpus["grpo"].slug]


def test_category_name_is_searchable(client, corpus):
    assert set(found(client, "systems")) == {corpus["kv_cache"].slug, corpus["cache_kv"].slug}


def test_formula_adjacent_terms(client, corpus):
    assert found(client, "ELBO") == [corpus["elbo"].slug]
    assert found(client, "KL散度") == [corpus["elbo"].slug]
    assert found(client, "证据下界") == [corpus["elbo"].slug]


def test_one_character_query_finds_it_inside_words(client, corpus):
    assert found(client, "熵") == [corpus["entropy"].slug]


def test_title_beats_tag_beats_body_then_recency(client, corpus):
    assert found(client, "扩散模型") == [
        corpus["diffusion_title"].slug,
        corpus["diffusion_tag"].slug,
        corpus["diffusion_body"].slug,
    ]


def test_recency_breaks_ties(client, corpus, indexed):
    with indexed():
        older = ArticleFactory(title="双子 甲", body="双子星", published_at=days_ago(9))
        newer = ArticleFactory(title="双子 乙", body="双子星", published_at=days_ago(2))
    assert found(client, "双子星") == [newer.slug, older.slug]


def test_category_and_tag_filters(client, corpus):
    # The title match first, although the body match is newer.
    rl_notes = [corpus["reinforce"].slug, corpus["ppo"].slug]
    assert found(client, "策略梯度", category="rl") == rl_notes
    assert found(client, "扩散模型", tag="ddpm") == [corpus["diffusion_title"].slug]
    assert found(client, "扩散模型", category="llm") == []
    assert found(client, "扩散模型", category="no-such-category") == []


def test_drafts_and_scheduled_notes_are_never_found(client, indexed):
    with indexed():
        ArticleFactory(title="隐藏 zeta 草稿", body="zeta 草稿", draft=True, tags=["zeta"])
        ArticleFactory(title="隐藏 zeta 定时", body="zeta 定时", scheduled=True, tags=["zeta"])
        public = ArticleFactory(title="公开 zeta", body="zeta")
    for q in ["zeta", "隐藏", "草稿", "定时", "z"]:
        assert found(client, q) in ([public.slug], []), q
    assert found(client, "zeta") == [public.slug]


def test_result_shows_count_title_category_date_and_marked_snippet(client, corpus):
    response = search(client, q="显存")
    html = response.content.decode()
    note = corpus["kv_cache"]
    assert "找到 1 篇笔记" in html
    assert note.category.name in html
    assert timezone.localtime(note.published_at).strftime("%Y-%m-%d") in html
    assert "推理<mark>显存</mark>估算" in html
    assert "占用大量<mark>显存</mark>" in html
    assert 'role="search"' in html


def test_snippets_and_titles_are_html_escaped(client, indexed):
    with indexed():
        ArticleFactory(
            title="<img src=x onerror=alert(1)> quokka",
            body="## 概述\n\n用 `<script>alert(2)</script>` 测试 quokka 的 a<b & c>d。",
        )
    html = search(client, q="quokka").content.decode()
    assert "<img src=x" not in html
    assert "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>quokka</mark>" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "a&lt;b &amp; c&gt;d" in html


def test_marks_around_text_that_looks_like_markup(client, indexed):
    with indexed():
        ArticleFactory(title="mark 测试", body="## 概述\n\nmark 与 `<mark>` 都是词。")
    html = search(client, q="mark").content.decode()
    assert "<mark>mark</mark> 测试" in html
    assert "&lt;<mark>mark</mark>&gt;" in html


def test_pagination_keeps_query_and_filters(client, indexed, settings):
    settings.PAGE_SIZE = 2
    rl = CategoryFactory(name="RL", slug="rl")
    with indexed():
        for n in range(5):
            ArticleFactory(title=f"回放缓冲 {n}", category=rl, published_at=days_ago(n + 1))
    response = search(client, q="回放缓冲", category="rl", page="2")
    assert response.context["page_obj"].number == 2
    html = response.content.decode()
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1)
    assert "page=3" in next_link
    assert "category=rl" in next_link
    assert "q=" in next_link
    assert len(slugs(search(client, q="回放缓冲", category="rl", page="3"))) == 1


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "99999", ""])
def test_bad_page_numbers_show_a_page(client, corpus, page):
    response = search(client, q="扩散模型", page=page)
    assert len(slugs(response)) == 3


def test_query_count_does_not_grow_with_results(client, indexed, settings):
    settings.PAGE_SIZE = 20
    with indexed():
        ArticleFactory(title="孤例 xenon", tags=["a"])
        for n in range(12):
            ArticleFactory(title=f"多例 argon {n}", tags=["a", "b"])

    def queries(q):
        with CaptureQueriesContext(connection) as captured:
            search(client, q=q)
        return len(captured)

    assert queries("xenon") == queries("argon")


def test_query_count_is_pinned(client, corpus, django_assert_num_queries):
    # count, page, the series filter's choices.
    with django_assert_num_queries(3):
        search(client, q="扩散模型")
    # ... plus the filter's category and tag.
    with django_assert_num_queries(5):
        search(client, q="扩散模型", category="generative", tag="ddpm")


def test_results_read_only_the_columns_they_show(client, corpus):
    with CaptureQueriesContext(connection) as queries:
        html = search(client, q="扩散模型").content.decode()
    assert "card-summary" in html
    (page,) = [q["sql"] for q in queries if "plain_text" in q["sql"]]
    for unshown in ("summary_html", "body_html", "auth_user", "taggit"):
        assert unshown not in page
    assert not [q for q in queries if "taggit" in q["sql"]]


def test_the_series_choices_are_kept_for_the_generation(
    client, corpus, page_cache, settings, committing, django_assert_num_queries
):
    settings.PAGE_CACHE_ENABLED = False  # every search is rendered
    notes = list(corpus.values())
    SeriesPartFactory(
        series=SeriesFactory(title="扩散模型入门", slug="diffusion"), article=notes[0]
    )
    assert '<option value="diffusion">扩散模型入门</option>' in search(client, q="模型").text
    with django_assert_num_queries(2):  # count, page
        search(client, q="扩散模型")
    with committing():
        SeriesPartFactory(series=SeriesFactory(title="注意力", slug="attention"), article=notes[1])
    assert '<option value="attention">注意力</option>' in search(client, q="模型").text


def test_header_search_box_on_every_page(client, corpus):
    html = client.get(reverse("feeds:home")).content.decode()
    form = re.search(r'<form class="site-search"[^>]*>', html).group(0)
    assert 'role="search"' in form
    assert f'action="{reverse("search:results")}"' in form
    assert 'aria-label="搜索笔记"' in html


def test_admin_search_uses_the_engine_and_includes_drafts(staff_client, corpus, indexed):
    with indexed():
        draft = ArticleFactory(title="草稿：重参数的方差", draft=True)
    url = reverse("admin:articles_article_changelist")
    response = staff_client.get(url, {"q": "重参数"})
    assert response.status_code == 200
    listed = {article.slug for article in response.context["cl"].result_list}
    assert listed == {corpus["reparam"].slug, draft.slug}
    response = staff_client.get(url, {"q": '"KV cache"'})
    assert [a.slug for a in response.context["cl"].result_list] == [corpus["kv_cache"].slug]


def test_word_inside_a_longer_dictionary_word(client, indexed):
    with indexed():
        note = ArticleFactory(title="样本效率", body="## 概述\n\n深度强化学习的样本效率很低。")
    assert found(client, "强化学习") == [note.slug]
    assert found(client, "深度强化学习") == [note.slug]


def test_result_limit_keeps_exactly_the_best(client, indexed, settings):
    """Capped lists are the head of the full ranking: old title/tag matches stay on top."""
    with indexed():
        old_title = ArticleFactory(title="稀疏注意力 old", published_at=days_ago(300))
        old_tag = ArticleFactory(title="旧笔记", tags=["稀疏注意力"], published_at=days_ago(200))
        body_only = [
            ArticleFactory(title=f"正文 {n}", body="提到稀疏注意力。", published_at=days_ago(n))
            for n in range(1, 6)
        ]
    settings.SEARCH_MAX_RESULTS = 100
    full = found(client, "稀疏注意力")
    assert full == [old_title.slug, old_tag.slug] + [note.slug for note in body_only]
    settings.SEARCH_MAX_RESULTS = 4
    response = search(client, q="稀疏注意力")
    assert slugs(response) == full[:4]
    assert "找到 4 篇以上" in response.content.decode()


CANDIDATE_QUERIES = ["扩散模型", "VAE", "采样", "策略梯度", "RL", '"KV cache"', "cache", "显存 KV"]


@pytest.mark.parametrize("q", [*CANDIDATE_QUERIES, "策略 -PPO"])
def test_ranking_candidates_give_exactly_the_head_of_the_full_ranking(corpus, q):
    """engine.search(limit=n) ranks only candidates; its first n are those of the full list."""
    published = Article.objects.published()
    full = list(ranked(engine_search(published, q)).values_list("slug", flat=True))
    assert full
    for n in range(1, len(full) + 1):
        head = ranked(engine_search(published, q, limit=n)).values_list("slug", flat=True)
        assert list(head[:n]) == full[:n], n


def test_phrase_ranked_by_where_its_words_are(client, indexed, settings):
    with indexed():
        in_title = ArticleFactory(title="KV cache 估算", body="正文", published_at=days_ago(5))
        words_in_title = ArticleFactory(
            title="cache 与 KV 的顺序", body="这里讲 KV cache 的写法。", published_at=days_ago(3)
        )
        ArticleFactory(title="cache 与 KV", body="没有这个短语。", published_at=days_ago(2))
        in_body = ArticleFactory(title="其他", body="KV cache 很大。", published_at=days_ago(1))
    expected = [words_in_title.slug, in_title.slug, in_body.slug]
    assert found(client, '"KV cache"') == expected
    settings.SEARCH_MAX_RESULTS = 2  # as many matches as the cap: ranked from candidates
    assert found(client, '"KV cache"') == expected[:2]


def test_pages_of_a_capped_list_are_the_head_of_the_full_ranking(client, indexed, settings):
    with indexed():
        old_title = ArticleFactory(title="稀疏注意力 old", published_at=days_ago(300))
        old_tag = ArticleFactory(title="旧笔记", tags=["稀疏注意力"], published_at=days_ago(200))
        for n in range(1, 7):
            ArticleFactory(title=f"正文 {n}", body="提到稀疏注意力。", published_at=days_ago(n))
    full = found(client, "稀疏注意力")
    assert full[:2] == [old_title.slug, old_tag.slug] and len(full) == 8
    settings.PAGE_SIZE = 2
    settings.SEARCH_MAX_RESULTS = 5
    pages = [search(client, q="稀疏注意力", page=str(n)) for n in (1, 2, 3, 4)]
    assert [slug for page in pages[:3] for slug in slugs(page)] == full[:5]
    assert pages[0].context["paginator"].num_pages == 3
    assert slugs(pages[3]) == slugs(pages[2])  # past the end: the last page
    assert "找到 5 篇以上，列出最相关的 5 篇" in pages[0].content.decode()


def test_results_support_only_forward_slices():
    results = public_search(parse("扩散模型")).results
    assert results[5:5] == []
    with pytest.raises(TypeError):
        results[0]
    with pytest.raises(TypeError):
        results[0:4:2]
    with pytest.raises(ValueError):
        results[-2:]


def test_count_stops_at_the_cap_and_keeps_the_scope(corpus, indexed):
    with indexed():
        ArticleFactory(title="扩散模型草稿", draft=True)
    published = Article.objects.published()
    diffusion = parse("扩散模型")
    assert count(published, diffusion, 100) == 3
    assert count(published, diffusion, 2) == 2
    assert count(Article.objects.all(), diffusion, 100) == 4
    assert count(published.filter(category__slug="generative"), diffusion, 100) == 3
    assert count(published.filter(category__slug="llm"), diffusion, 100) == 0
    assert count(published.filter(tags__name="DDPM"), diffusion, 100) == 1
    assert count(Article.objects.none(), diffusion, 100) == 0
    assert count(published, parse('"KV cache" -显存'), 100) == 0
    assert count(published, parse("-显存"), 100) == 0
