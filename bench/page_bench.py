"""Time every public page uncached, in-process, at any size (e.g. 1,000 or 100,000 notes).

Usage:
    .venv/bin/python bench/page_bench.py --notes 100000 [--requests 40] [--reuse] [--profile]

Uses its own PostgreSQL database (``notes_page_bench`` on 127.0.0.1:5432, re-created unless
``--reuse``), fills it with ``seed_notes.seed`` (demo content; no search index unless
``--search``), then requests each page through Django's test client, DEBUG off, the page cache
on but storing nothing (each request a miss): median and p95 over ``--requests`` after 3
warm-up requests, and the queries per request, twice: with the fragment cache on (what a page
the page cache does not hold costs; the parts kept for the generation come from the local
memory cache here, from Redis in production) and off (nothing kept: the first request after a
change). ``--profile`` prints a pyinstrument breakdown of the note page and home (kept).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_bench import recreate_database  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/notes_page_bench"
    )
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's database")
    parser.add_argument("--search", action="store_true", help="build the search index too")
    parser.add_argument("--profile", action="store_true", help="pyinstrument: note and home")
    return parser.parse_args()


def page_urls(search):
    from django.conf import settings
    from django.db.models.functions import Length
    from taggit.models import Tag

    from articles.models import Article, Category
    from articles.sitemaps import ArticleSitemap

    published = Article.objects.published()
    note = published.order_by(Length("body_html").desc()).first()
    newest = published.order_by("-published_at").first().published_at
    category = Category.objects.get(slug="llm")
    tag = Tag.objects.get(name="强化学习")
    pages = -(-published.count() // settings.PAGE_SIZE)
    deep = min(5000, settings.STREAM_MAX_PAGES, pages)
    files = -(-published.count() // ArticleSitemap.limit)
    urls = {
        "home": "/",
        f"home, page {deep}": f"/?page={deep}",
        "note": note.get_absolute_url(),
        "category": category.get_absolute_url(),
        "tag": f"/tags/{tag.slug}/",
        "archive year": f"/archive/{newest.year}/",
        "archive month": f"/archive/{newest.year}/{newest.month:02d}/",
        "categories": "/categories/",
        "rss": "/feeds/rss/",
        "atom": "/feeds/atom/",
        "json feed": "/feeds/json/",
        "category rss": f"/feeds/categories/{category.slug}/rss/",
        "sitemap index": "/sitemap.xml",
        "sitemap, first notes file": "/sitemap-articles.xml",
        f"sitemap, notes file {files} (last)": f"/sitemap-articles.xml?p={files}",
    }
    if search:
        urls["search"] = "/search/?q=注意力机制"
    return urls


def measure(client, url, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.get("X-Page-Cache") is None, "a page came from the cache"
    query_count = len(queries)  # now: the next request clears the log
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return query_count, statistics.median(timings), p95


def profile(client, url):
    from pyinstrument import Profiler

    client.get(url)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(20):
        client.get(url)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main():
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notes_site.settings.test")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("SEARCH_WARM_UP", "false")
    if not args.reuse:
        recreate_database(args.database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from seed_notes import seed

    from articles.models import Article
    from pagecache import middleware as pagecache_middleware

    # Production's path for a page that is not in the cache (validators from the generation),
    # with nothing stored: every request is a miss.
    settings.PAGE_CACHE_ENABLED = True
    pagecache_middleware.is_storable = lambda request, response: False
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    if not args.reuse:
        started = time.perf_counter()
        seed(args.notes, index_search=args.search, progress=lambda line: None)
        print(f"Seeded {Article.objects.count():,} notes in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    client = Client()
    total = Article.objects.count()
    print(f"{total:,} notes, {args.requests} requests per page after 3 warm-up, page cache misses")
    print("| page | kept: queries | median ms | p95 ms | none kept: queries | median ms | p95 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, url in page_urls(args.search).items():
        row = []
        for fragments in (True, False):
            settings.FRAGMENT_CACHE_ENABLED = fragments
            count, median, p95 = measure(client, url, args.requests)
            row += [str(count), f"{median:.1f}", f"{p95:.1f}"]
        print(f"| {label} | {' | '.join(row)} |")
    settings.FRAGMENT_CACHE_ENABLED = True
    if args.profile:
        urls = page_urls(args.search)
        for label in ("note", "home"):
            print(f"\n--- pyinstrument: {label} ({urls[label]}), 20 requests ---")
            profile(client, urls[label])


if __name__ == "__main__":
    main()
