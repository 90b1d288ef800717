"""Benchmark the rendering pipeline on a realistic 20 KB note with 100 formulas.

Usage: DJANGO_SETTINGS_MODULE=notes_site.settings.test .venv/bin/python bench/render_bench.py
Reports: KaTeX engine start-up, a cold render (no cached formulas), warm renders (every
formula cached, as when an author re-saves or the preview refreshes), in milliseconds.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notes_site.settings.test")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402

from articles import rendering  # noqa: E402

INLINE = [
    r"\( \mathbb{E}_{z\sim p_{\theta}(z)}[f(z)] \)",
    r"$\frac{QK^T}{\sqrt{d_k}}$",
    r"$\nabla_{\theta} \log \pi_{\theta}(a_t \mid s_t) A_t$",
    r"\( \|W - W_0\|_F \le \epsilon \)",
]
DISPLAY = [
    r"\[ \mathcal{L}(\theta) = -\sum_{t=1}^{T} \log p_{\theta}(x_t \mid x_{<t}) \tag{%d} \]",
    "$$\\operatorname*{arg\\,max}_{\\pi} \\; \\mathbb{E}_{\\tau \\sim \\pi}[R(\\tau)] + %d$$",
    "\\begin{aligned} h_%d &= W x + b \\\\ y &= \\mathrm{softmax}(h) \\end{aligned}",
]
PROSE = (
    "在强化学习中，策略梯度方法直接优化期望回报，GRPO 在此基础上去掉了价值网络，"
    "用同一提示下多个回答的相对奖励作为优势估计。**关键。**这样做降低了显存占用，"
    "也让 KV cache 的复用更加自然。参考 https://arxiv.org/abs/2402.03300 中的推导。"
)


def build_note(target_bytes=20_000, formulas=100):
    """A note in the house style: headings, prose, inline and display math, a table, code."""
    parts, count, section = ["## 概述\n\n"], 0, 0
    while count < formulas:
        section += 1
        if section % 5 == 0:
            parts.append(f"## 第 {section} 节 方法\n\n")
        sentence = PROSE
        for _ in range(3):
            sentence += f" 其中 {INLINE[count % len(INLINE)]} 表示目标。"
            count += 1
        parts.append(sentence + "\n\n")
        if count < formulas:
            parts.append(DISPLAY[count % len(DISPLAY)].replace("%d", str(count)) + "\n\n")
            count += 1
        if section % 7 == 0:
            parts.append("| 方法 | 复杂度 |\n|---|---|\n| FlashAttention | $O(N)$ |\n\n")
            count += 1
            parts.append(
                "```python\ndef grpo_advantage(r):\n    return (r - r.mean()) / r.std()\n```\n\n"
            )
    text = "".join(parts)
    while len(text.encode()) < target_bytes:
        text += PROSE + "\n\n"
    return text


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def main():
    note = build_note()
    _, formulas = rendering.extract_math(note)
    print(f"note: {len(note.encode()) / 1024:.1f} KB, {len(formulas)} formulas")

    start = time.perf_counter()
    rendering.katex.render_many([("x", False)])
    startup = (time.perf_counter() - start) * 1000
    print(f"KaTeX engine start (once per process): {startup:.0f} ms")

    cold = []
    for _ in range(5):
        cache.clear()
        cold.append(timed(rendering.render_preview, note))
    print(f"preview, cold cache (all formulas typeset): median {statistics.median(cold):.0f} ms")

    warm = [timed(rendering.render_preview, note) for _ in range(10)]
    print(f"preview, warm cache (formulas cached): median {statistics.median(warm):.0f} ms")

    save = [timed(rendering.render_article, note) for _ in range(10)]
    print(f"render_article (save), warm cache: median {statistics.median(save):.0f} ms")
    cache.clear()
    print(f"render_article (save), cold cache: {timed(rendering.render_article, note):.0f} ms")


if __name__ == "__main__":
    main()
