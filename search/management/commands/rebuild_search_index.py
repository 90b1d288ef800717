from django.core.management.base import BaseCommand

import pagecache
from search import indexing


class Command(BaseCommand):
    help = (
        "Rebuild the search index of every note (drafts included). Saves keep it in step; run "
        "this after loading data without saving through Django, or after changing the "
        "search dictionary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, verbosity, **options):
        def progress(done, total):
            if verbosity >= 2:
                self.stdout.write(f"{done}/{total}")

        written = indexing.rebuild(batch_size=batch_size, progress=progress)
        pagecache.invalidate()  # cached search pages came from the old index
        self.stdout.write(self.style.SUCCESS(f"Search index: {written} note(s) indexed."))
