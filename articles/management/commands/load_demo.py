"""Load the demo notes in articles/demo/*.toml. Idempotent: notes are matched by slug."""

import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Article, Category, RevisionDetail
from articles.services import save_article

Kind = RevisionDetail.Kind

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = "Create (or update) the demo notes; running it twice duplicates nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        author, _ = get_user_model().objects.get_or_create(
            username="demo", defaults={"first_name": "Demo", "last_name": "Author"}
        )
        tz = ZoneInfo(settings.TIME_ZONE)
        created = 0
        paths = sorted(DEMO_DIR.glob("*.toml"))
        for path in paths:
            note = tomllib.loads(path.read_text(encoding="utf-8"))
            try:
                category = Category.objects.get(slug=note["category"])
            except Category.DoesNotExist:
                raise CommandError(f"{path.name}: unknown category {note['category']!r}") from None
            fields = {
                "title": note["title"],
                "author": author,
                "category": category,
                "body": note["body"].strip() + "\n",
                "summary": note.get("summary", ""),
                "status": Article.Status.PUBLISHED,
                "published_at": datetime.fromisoformat(note["published_at"]).replace(tzinfo=tz),
            }
            article = Article.objects.filter(slug=note["slug"]).first()
            was_created = article is None
            if was_created:
                article = Article(slug=note["slug"])
            tags = note.get("tags", [])
            # Save only what changed, so that a rerun leaves "updated" dates and feeds alone.
            changed = was_created or any(getattr(article, k) != v for k, v in fields.items())
            if changed or sorted(article.tags.names()) != sorted(tags):
                for name, value in fields.items():
                    setattr(article, name, value)
                save_article(article, tags=tags, comment="Demo notes.", kind=Kind.COMMAND)
            created += was_created
        self.stdout.write(f"Demo notes: {created} created, {len(paths) - created} already there.")
