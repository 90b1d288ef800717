"""Fill a database with N notes of the demo content, fast (for bench/http_bench, page_bench.py).

The demo notes (``manage.py load_demo``) are rendered once; the rest are bulk-inserted copies of
them (no ``save()``: no rendering, no signals) with their stored HTML, so rows are as wide as
real ones, each with its own title and slug, its demo tags plus two of search_bench's domain
terms, one note an hour back in time (1,000 notes span six weeks, 100,000 eleven years),
5 % drafts and a few scheduled a day ahead. The search index is built afterwards when asked.
"""

import random
import sys
from datetime import timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

from search_bench import TERMS  # noqa: E402 - the search benchmark's domain words

# Copied in Python; the wide rendered columns are copied inside the database afterwards
# (``copy_renders``): sending ~90 KB a row over the socket is what made 100k notes slow.
COPIED_FIELDS = ["body", "summary", "summary_text", "reading_minutes", "category_id", "author_id"]
RENDERED_COLUMNS = [
    "body_html",
    "body_feed_html",
    "toc_html",
    "summary_html",
    "summary_feed_html",
]
BATCH = 5000


def seed(total, *, index_search=True, seed_value=20261201, progress=print):
    """Make the database hold ``total`` notes (the demo notes included); returns the count."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from articles.models import Article

    call_command("load_demo", verbosity=0)
    demo = list(Article.objects.order_by("pk").prefetch_related("tags"))
    rng = random.Random(seed_value)
    content_type = ContentType.objects.get_for_model(Article)
    terms = [
        Tag.objects.get_or_create(name=term, defaults={"slug": f"t{i}"})[0]
        for i, term in enumerate(TERMS)
    ]
    now = timezone.now()
    start = Article.objects.count()
    for batch_start in range(start, total, BATCH):
        notes, note_tags, sources = [], [], []
        for n in range(batch_start, min(total, batch_start + BATCH)):
            source = demo[n % len(demo)]
            roll = rng.random()
            published_at = now - timedelta(hours=n)
            if roll > 0.995:
                published_at = now + timedelta(days=1)
            notes.append(
                Article(
                    title=f"{source.title} · {n}",
                    slug=f"{source.slug}-{n}",
                    status=Article.Status.DRAFT if roll < 0.05 else Article.Status.PUBLISHED,
                    published_at=published_at,
                    **{field: getattr(source, field) for field in COPIED_FIELDS},
                )
            )
            note_tags.append([*source.tags.all(), *rng.sample(terms, 2)])
            sources.append(source.pk)
        created = Article.objects.bulk_create(notes)
        copy_renders({note.pk: source for note, source in zip(created, sources, strict=True)})
        TaggedItem.objects.bulk_create(
            TaggedItem(content_type=content_type, object_id=note.pk, tag=tag)
            for note, tags in zip(created, note_tags, strict=True)
            for tag in dict.fromkeys(tags)
        )
        progress(f"  {batch_start + len(notes):,} notes")
    if index_search:
        from search import indexing

        indexing.rebuild(batch_size=1000)
    return Article.objects.count()


def copy_renders(sources):
    """Copy each demo note's rendered HTML into its copies, in the database (one UPDATE)."""
    from django.db import connection

    from articles.models import Article

    if not sources:
        return
    table = connection.ops.quote_name(Article._meta.db_table)
    columns = ", ".join(f"{column} = source.{column}" for column in RENDERED_COLUMNS)
    pairs = ", ".join(f"({copy}, {source})" for copy, source in sources.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {columns} FROM {table} AS source, "
            f"(VALUES {pairs}) AS pairs (copy_id, source_id) "
            f"WHERE {table}.id = pairs.copy_id AND source.id = pairs.source_id"
        )


def main():
    """``python bench/seed_notes.py N [--no-search]`` with DJANGO_SETTINGS_MODULE and
    DATABASE_URL set: fill that database (already migrated) with N notes."""
    import argparse

    import django

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("notes", type=int)
    parser.add_argument("--no-search", action="store_true", help="skip the search index")
    args = parser.parse_args()
    django.setup()
    total = seed(args.notes, index_search=not args.no_search, progress=lambda line: None)
    print(f"{total:,} notes")


if __name__ == "__main__":
    main()
