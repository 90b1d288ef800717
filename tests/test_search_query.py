"""Query parsing, segmentation, snippets, and every kind of bad input the search box can get."""

import pytest
from django.urls import reverse

from search import segmenter
from search.query import parse
from search.snippets import highlight, snippets
from tests.factories import ArticleFactory


def snippet(text, words, length=None):
    """One text's snippet (the site builds them a page at a time)."""
    return snippets([text], words, length)[0]


def test_domain_words_stay_whole_in_queries_and_are_split_in_the_index():
    assert segmenter.query_tokens("重参数") == ["重参数"]
    assert segmenter.query_tokens("强化学习") == ["强化学习"]
    assert segmenter.query_tokens("混合专家") == ["混合专家"]
    assert {"强化", "学习", "强化学习"} <= set(segmenter.index_tokens("深度强化学习"))


def test_index_lists_the_words_in_order_before_the_extra_tokens():
    # Phrases are consecutive tokens: the parts and single characters must not come between.
    tokens = segmenter.index_tokens("我们使用强化学习训练")
    assert tokens[:4] == segmenter.query_tokens("我们使用强化学习训练")
    assert tokens[:4] == ["我们", "使用", "强化学习", "训练"]
    assert {"强化", "学习", "强", "化"} <= set(tokens[4:])


def test_segmenter_lowercases_normalises_width_and_drops_punctuation():
    assert segmenter.query_tokens("ＬｏＲＡ微调，FlashAttention-2!") == [
        "lora",
        "微调",
        "flashattention",
        "2",
    ]
    assert segmenter.segment("KV_cache：d_k") == "kv cache d k"


def test_segmenter_is_loaded_once_at_start_up():
    # AppConfig.ready warmed it up (SEARCH_WARM_UP); later calls reuse the same tokenizer.
    assert segmenter._tokenizer is not None
    assert segmenter.get_tokenizer() is segmenter.get_tokenizer()


def test_parse_terms_phrases_and_exclusions():
    parsed = parse('LoRA 微调 "KV cache" -PPO -"policy gradient"')
    assert [(t.tokens, t.phrase, t.negated) for t in parsed.terms] == [
        (("lora",), False, False),
        (("微调",), False, False),
        (("kv", "cache"), True, False),
        (("ppo",), False, True),
        (("policy", "gradient"), True, True),
    ]
    assert parsed.highlight_words == ["KV cache", "lora", "微调", "kv", "cache"]


def test_parse_strips_operators_and_stray_quotes():
    assert [t.tokens for t in parse('a AND b OR NEAR(c) * : ^ "d').terms] == [
        ("a",),
        ("and",),
        ("b",),
        ("or",),
        ("near", "c"),
        ("d",),
    ]
    assert parse('" ** -- :: ^^').is_empty
    assert parse("-only -negative").is_empty


def test_parse_caps_length_and_drops_control_characters(settings):
    settings.SEARCH_MAX_QUERY_LENGTH = 20
    parsed = parse("强化\x00学习\x07\u200b" + "x" * 100)
    assert "\x00" not in parsed.text and "\x07" not in parsed.text
    assert len(parsed.text) <= 20


def test_highlight_escapes_everything_but_its_marks():
    assert highlight("<b>LoRA</b> & lora", ["lora"]) == (
        "&lt;b&gt;<mark>LoRA</mark>&lt;/b&gt; &amp; <mark>lora</mark>"
    )
    assert highlight("a<mark>", ["mark"]) == "a&lt;<mark>mark</mark>&gt;"


def test_snippet_is_a_window_around_the_first_match(settings):
    text = "开头。" + "无关内容 " * 60 + "这里讲 KV cache 的显存占用。" + " 结尾" * 60
    result = snippet(text, ["kv", "cache"], length=60)
    assert result.startswith("...") and result.endswith("...")
    assert "<mark>KV</mark> <mark>cache</mark>" in result
    assert len(result) < 120
    assert snippet("短文本 no match", ["zzz"]) == "短文本 no match"


BAD_QUERIES = [
    "",
    "   ",
    "\t\n",
    "x" * 1000,
    "强化学习" * 300,
    '"',
    '""',
    "'",
    "-",
    "--",
    '-"',
    "AND",
    "OR",
    "NOT",
    "a OR b",
    "NEAR(a b, 3)",
    "*",
    "lo*",
    ":",
    "title:lora",
    "^lora",
    "a & b | !c",
    "a:* & b",
    "'a' <-> 'b'",
    "\\",
    "%_%",
    "'; DROP TABLE articles_article; --",
    "\x00",
    "lora\x00\x1f\x7f",
    "\u202e\u200b",
    "🔖💡",
    "{}[]()<>",
    "<script>alert(1)</script>",
]


@pytest.mark.django_db
@pytest.mark.parametrize("q", BAD_QUERIES)
def test_bad_queries_give_a_page(client, q, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="LoRA 与 a b c", tags=["强化学习"])
    response = client.get(reverse("search:results"), {"q": q, "page": "x"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.django_db
def test_long_queries_are_cut_to_the_cap(client, settings):
    settings.SEARCH_MAX_QUERY_LENGTH = 200
    response = client.get(reverse("search:results"), {"q": "扩散" * 600})
    assert response.status_code == 200
    assert len(response.context["search_query"]) == 200


@pytest.mark.django_db
def test_repeated_and_malformed_parameters(client):
    url = reverse("search:results")
    assert client.get(f"{url}?q=a&q=b&page=1&page=2").status_code == 200
    assert client.get(url, {"q": "lora", "category": "../../etc", "tag": "<x>"}).status_code == 200
    assert client.get(f"{url}?q=%E5%BC%BA%FF%FE").status_code == 200


@pytest.mark.django_db
def test_empty_query_shows_the_form_without_results(client):
    response = client.get(reverse("search:results"))
    assert response.status_code == 200
    assert list(response.context["articles"]) == []
    assert "找到" not in response.content.decode()
