"""Benchmark import_notes: 1,000 notes with 2,000 images, KaTeX typesetting included.

Usage:
    .venv/bin/python bench/import_bench.py [--notes 1000] [--images-per-note 2]
        [--database-url postgres://postgres@127.0.0.1:5432/notes_import_bench]

Generates a Hugo site in a temporary folder (page bundles, TOML front matter, ~4 KB of Chinese
prose per note with ~24 formulas of its own, so the KaTeX cache does not help, code, two
distinct 640×400 PNG images per note), migrates a fresh database (a temporary SQLite file by
default; a PostgreSQL URL is dropped and re-created), runs ``import_notes`` on it twice (the
second run finds everything unchanged) and prints the wall and CPU times, the process's peak
memory (maximum resident set size, KaTeX's V8 included) and the load average. Stops by itself
after ``--time-limit`` seconds.
"""

import argparse
import os
import random
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROSE = [
    "策略梯度方法直接优化期望回报，",
    "GRPO 去掉了价值网络，用组内相对奖励估计优势，",
    "KV cache 的显存随序列长度线性增长，",
    "扩散模型把生成看成逐步去噪，",
    "LoRA 只训练低秩增量，",
    "FlashAttention 分块计算注意力，避免物化整个矩阵，",
]
FORMULAS = [
    r"$\nabla_\theta J(\theta_{%d}) = \mathbb{E}[\nabla_\theta \log \pi_\theta(a|s) A_t]$",
    r"\( \frac{QK^T}{\sqrt{d_{%d}}} \)",
    r"$$\mathcal{L}_{%d} = \mathbb{E}_{t}\left[\lVert \epsilon - \epsilon_\theta(x_t) \rVert^2\right]$$",  # noqa: E501
    r"\[ r_t(\theta) = \frac{\pi_\theta(a_t \mid s_t)}{\pi_{\theta_{old}}(a_t \mid s_t)} + %d \]",
    "\\begin{aligned} h_{%d} &= W x + b \\\\ y &= \\mathrm{softmax}(h) \\end{aligned}",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--images-per-note", type=int, default=2)
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--time-limit", type=int, default=1200, help="seconds")
    return parser.parse_args()


def note_text(n, images):
    rng = random.Random(n)
    parts = [
        "+++",
        f'title = "基准笔记 {n}：{rng.choice(PROSE).rstrip("，")}"',
        f"date = 2024-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+08:00",
        f'categories = ["{rng.choice(["强化学习", "生成模型", "大模型", "系统"])}"]',
        f'tags = ["bench", "tag{n % 50}"]',
        f"draft = {'true' if n % 20 == 0 else 'false'}",
        "+++",
        "## 概述",
        "",
    ]
    for paragraph in range(8):
        sentence = "".join(rng.choice(PROSE) for _ in range(6))
        formula = FORMULAS[paragraph % len(FORMULAS)] % (n * 10 + paragraph)
        parts += [f"{sentence}其中 {formula} 是第 {paragraph} 项。" * 3, ""]
        if paragraph == 1:
            parts += ["<!--more-->", ""]
    parts += ["```python", 'price = "$5 and $10"', "```", ""]
    parts += [f"![图 {i}](figure-{i}.png)" for i in range(images)]
    return "\n".join(parts) + "\n"


def build_site(root, notes, images_per_note):
    from PIL import Image, ImageDraw

    root.mkdir()
    (root / "hugo.toml").write_text('title = "bench"\n')
    for n in range(notes):
        bundle = root / "content" / "posts" / f"note-{n:04d}"
        bundle.mkdir(parents=True)
        (bundle / "index.md").write_text(note_text(n, images_per_note), encoding="utf-8")
        for i in range(images_per_note):
            image = Image.new("RGB", (640, 400), ((n * 7) % 256, (i * 90) % 256, 120))
            draw = ImageDraw.Draw(image)
            for k in range(12):  # lines that differ per image: no two files alike
                draw.line((0, k * 33 + n % 30, 639, (k * 47 + i * 13 + n) % 400), fill="white")
            image.save(bundle / f"figure-{i}.png")


def prepare_database(url, workdir):
    if not url:
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url


def main():
    args = parse_args()
    signal.signal(signal.SIGALRM, lambda *_: sys.exit("time limit reached"))
    signal.alarm(args.time_limit)
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        workdir = Path(tmp)
        os.environ["DATABASE_URL"] = prepare_database(args.database_url, workdir)
        os.environ["MEDIA_ROOT"] = str(workdir / "media")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notes_site.settings.test")
        import django

        django.setup()
        from django.core.management import call_command

        from tests.factories import StaffFactory

        call_command("migrate", verbosity=0)
        StaffFactory(username="bench")
        start = time.perf_counter()
        build_site(workdir / "site", args.notes, args.images_per_note)
        print(f"site: {args.notes} notes, {args.notes * args.images_per_note} images, "
              f"generated in {time.perf_counter() - start:.1f} s")  # fmt: skip
        for run in ("first import", "second import (unchanged)"):
            start, cpu = time.perf_counter(), time.process_time()
            call_command("import_notes", str(workdir / "site"), author="bench", verbosity=1)
            print(f"{run}: {time.perf_counter() - start:.1f} s "
                  f"({time.process_time() - cpu:.1f} s CPU in this process)")  # fmt: skip
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
