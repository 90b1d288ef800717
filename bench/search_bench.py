"""Benchmark search on PostgreSQL with 10,000 and 100,000 generated notes.

Usage:
    .venv/bin/python bench/search_bench.py [--sizes 10000 100000] [--requests 40]

Uses its own database (``notes_search_bench`` on 127.0.0.1:5432, dropped and re-created; set
``--database-url`` to change it). For each size it bulk-inserts notes in the house style
(Chinese prose with English terms, inline math, tags, 5 % drafts, 2 % scheduled), times the full
index build (``search.indexing.rebuild``, what ``manage.py rebuild_search_index``
runs), then times the search page through Django's test client: median and p95 over
``--requests`` requests per query after warm-up. Stops by itself after ``--time-limit`` seconds.
"""

import argparse
import os
import random
import signal
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TERMS = [
    "强化学习", "策略梯度", "价值函数", "优势函数", "奖励模型", "重要性采样", "蒙特卡洛",
    "时序差分", "贝尔曼方程", "扩散模型", "去噪", "噪声调度", "分数匹配", "变分推断",
    "证据下界", "重参数", "生成对抗网络", "归一化流", "潜在空间", "注意力机制", "自注意力",
    "多头注意力", "位置编码", "大语言模型", "预训练", "微调", "指令微调", "思维链",
    "检索增强生成", "混合专家", "知识蒸馏", "量化", "显存", "吞吐量", "张量并行",
    "流水线并行", "数据并行", "梯度下降", "反向传播", "损失函数", "交叉熵", "对比学习",
    "PPO", "GRPO", "DPO", "REINFORCE", "LoRA", "QLoRA", "FlashAttention", "KV cache",
    "Transformer", "VAE", "DDPM", "DDIM", "RLHF", "MoE", "RoPE", "vLLM", "PagedAttention",
    "Adam", "softmax", "tokenizer", "batch size", "learning rate", "checkpoint",
]  # fmt: skip
TEMPLATES = [
    "{a}的核心思想是用{b}来降低估计的方差。",
    "在实践中，{a}往往和{b}一起使用，训练更稳定。",
    "我们先回顾{a}的定义，再讨论它与{b}的关系。",
    "很多实现把{a}写成一个循环，其中 \\( \\nabla_\\theta J(\\theta) \\) 由{b}给出。",
    "如果 batch 太小，{a}的效果会明显变差，这时可以考虑{b}。",
    "{a}的复杂度是 $O(n^2)$，而{b}可以把它降到线性。",
    "实验表明，{a}在长序列上比{b}节省约一半显存。",
    "注意 $\\mathbb{{E}}_{{z\\sim p_\\theta(z)}}[f(z)]$ 的梯度不能直接穿过采样，"
    "这正是{a}要解决的问题。",
    "💡 关键在于{a}：它把问题转化成了{b}。",
    "{a} 与 {b} 的区别主要在目标函数上。",
    "论文中给出的{a}超参数并不适合所有任务，{b}也一样。",
    "用 PyTorch 实现{a}只需要几十行代码，{b}则更复杂一些。",
]  # fmt: skip
TITLES = ["{a}笔记", "{a}与{b}", "从{a}到{b}", "{a}的几个细节", "再谈{a}", "{a}：原理与实现"]
HEADINGS = ["概述", "简介", "背景", "引言与背景"]
CATEGORIES = ["RL", "generative", "LLM", "systems", "NLP", "CV"]
RARE_TERM = "Mamba"
RARE_EVERY = 2000
QUERIES = {  # label: (q, page)
    "common (one word)": ("注意力机制", 1),
    "common (another word)": ("策略梯度", 1),
    "common (two words)": ("策略梯度 显存", 1),
    "mixed": ("LoRA 微调", 1),
    "phrase": ('"KV cache"', 1),
    "rare": (RARE_TERM, 1),
    "one character": ("熵", 1),
    "common, page 20": ("注意力机制", 20),
}


def make_note(rng, n):
    def pick():
        return rng.choice(TERMS)

    title = rng.choice(TITLES).format(a=pick(), b=pick()) + f" {n}"
    paragraphs = []
    for _ in range(rng.randint(3, 5)):
        sentences = [rng.choice(TEMPLATES).format(a=pick(), b=pick()) for _ in range(4)]
        paragraphs.append("".join(sentences))
    if n % RARE_EVERY == 0:
        paragraphs.append(f"{RARE_TERM} 这类状态空间模型是另一条路线。")
    body = f"## {rng.choice(HEADINGS)}\n\n" + "\n\n".join(paragraphs[:2])
    body += "\n\n## 方法\n\n" + "\n\n".join(paragraphs[2:])
    return title, body


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/notes_search_bench"
    )
    parser.add_argument("--time-limit", type=int, default=1800, help="seconds")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database of an earlier run; only time the searches of its size",
    )
    return parser.parse_args()


def recreate_database(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def generate(target, rng):
    """Bulk-insert notes (no save(): no rendering, no signals) up to ``target`` in total."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from articles.models import Article, Category

    author, _ = get_user_model().objects.get_or_create(username="bench")
    categories = [
        Category.objects.get_or_create(slug=name.lower(), defaults={"name": name})[0]
        for name in CATEGORIES
    ]
    tags = [
        Tag.objects.get_or_create(name=term, defaults={"slug": f"t{i}"})[0]
        for i, term in enumerate(TERMS)
    ]
    content_type = ContentType.objects.get_for_model(Article)
    now = timezone.now()
    scheduled = now + timedelta(days=3)
    start = Article.objects.count()
    for batch_start in range(start, target, 2000):
        notes = []
        for n in range(batch_start, min(target, batch_start + 2000)):
            title, body = make_note(rng, n)
            roll = rng.random()
            notes.append(
                Article(
                    title=title,
                    slug=f"bench-{n}",
                    author=author,
                    category=rng.choice(categories),
                    body=body,
                    status=Article.Status.DRAFT if roll < 0.05 else Article.Status.PUBLISHED,
                    published_at=scheduled if roll > 0.98 else now - timedelta(minutes=n),
                )
            )
        created = Article.objects.bulk_create(notes)
        TaggedItem.objects.bulk_create(
            TaggedItem(content_type=content_type, object_id=note.pk, tag=tag)
            for note in created
            for tag in rng.sample(tags, 3)
        )


def measure(client, q, page, requests):
    from search.query import parse
    from search.selectors import public_search

    url = "/search/"
    params = {"q": q, "page": page}
    for _ in range(3):
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        assert page == 1 or f"第 {page} / " in response.content.decode(), "no such page"
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    count = public_search(parse(q)).count()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return count, statistics.median(timings), p95


def main():
    args = parse_args()
    signal.alarm(args.time_limit)  # a hard stop, whatever happens
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notes_site.settings.test")
    if args.reuse:
        args.sizes = [0]  # whatever the database holds
    else:
        recreate_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from search import indexing

    call_command("migrate", verbosity=0)
    rng = random.Random(20260209)
    client = Client()
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}, "
          f"{args.requests} requests per query (after 3 warm-up), times in ms")  # fmt: skip
    for size in sorted(args.sizes):
        if args.reuse:
            from articles.models import Article

            size = Article.objects.count()
            print(f"\nReusing {size:,} notes (no generation, no index build)")
        else:
            started = time.perf_counter()
            generate(size, rng)
            generated = time.perf_counter() - started
            started = time.perf_counter()
            indexing.rebuild(batch_size=1000)
            built = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_searchdocument")
            cursor.execute("ANALYZE articles_article")
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('articles_searchdocument'))"
            )
            index_size = cursor.fetchone()[0]
        if not args.reuse:
            print(f"\n{size:,} notes: generated in {generated:.1f} s; index built in {built:.1f} s "
                  f"({built / size * 1000:.2f} ms/note), search table {index_size}")  # fmt: skip
        print(f"  {'query':<22} {'q':<14} {'results':>8} {'median':>8} {'p95':>8}")
        for label, (q, page) in QUERIES.items():
            count, median, p95 = measure(client, q, page, args.requests)
            print(f"  {label:<22} {q:<14} {count:>8} {median:>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
