from django.core.management.base import BaseCommand, CommandError

from pagecache import generation


class Command(BaseCommand):
    help = (
        "Mark every cached page stale (a new page cache generation). Writes through save() do "
        "this by themselves; run it after bulk SQL changes to the notes."
    )

    def handle(self, *args, **options):
        try:
            number = generation.bump()
        except Exception as error:
            raise CommandError(f"The page cache could not be reached: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Page cache generation is now {number}."))
