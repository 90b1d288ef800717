"""Re-render every stored note (after a renderer upgrade or a SUMMARY_LENGTH change).

It records no revision and moves no version, edit time or revised_at: it rewrites only the
stored renders, which revisions do not keep (they keep what authors typed). Commands that
change what authors typed go through ``articles.services.save_article``.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from articles.rendering import STORED_FIELDS
from articles.signals import articles_rewritten


class Command(BaseCommand):
    help = (
        "Re-render the stored HTML, summaries and reading times of every note (drafts "
        "included). Idempotent: only notes whose output changed are written; the editorial "
        "update time is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        checked = changed = 0
        sources = ("pk", "title", "body", "summary")
        notes = Article.objects.only(*sources, *STORED_FIELDS).order_by("pk")
        for article in notes.iterator(chunk_size=200):
            checked += 1
            before = {field: getattr(article, field) for field in STORED_FIELDS}
            article.render()
            after = {field: getattr(article, field) for field in STORED_FIELDS}
            if after == before:
                continue
            changed += 1
            if not dry_run:
                with transaction.atomic():
                    Article.objects.filter(pk=article.pk).update(**after)
        if changed and not dry_run:
            articles_rewritten.send(sender=Article)  # update() sends no post_save
        verb = "would change" if dry_run else "re-rendered"
        self.stdout.write(
            self.style.SUCCESS(
                f"{checked} notes checked, {changed} {verb}, {checked - changed} unchanged."
            )
        )
