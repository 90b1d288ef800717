"""Delete autosaves nobody has touched for a while (30 days by default)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from articles.autosave import PRUNE_AFTER, prune_autosaves


class Command(BaseCommand):
    help = (
        "Delete editors' autosaves (unsaved text of notes) not updated for --days days "
        f"(default {PRUNE_AFTER.days}). Saved notes and their revisions are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=PRUNE_AFTER.days, help="Age in days (at least 1)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        count = prune_autosaves(timedelta(days=days), dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(self.style.SUCCESS(f"{count} autosave(s) older than {days} days {verb}."))
