from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from transfer.exporting import EXPORT_FORMATS, DirectorySink, export_notes


class Command(BaseCommand):
    help = (
        "Export notes as a Hugo, Hexo or Jekyll site: one Markdown file per note with front "
        "matter, images beside it. import_notes reads it back into the same notes."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="An empty or new folder.")
        parser.add_argument(
            "--format",
            default="hugo",
            choices=EXPORT_FORMATS,
            help="Site layout to write (default: hugo).",
        )
        parser.add_argument(
            "--status",
            default="all",
            choices=["all", "published", "draft"],
            help="Which notes: all (default), only published ones, or only drafts.",
        )

    def handle(self, *args, **options):
        directory = Path(options["directory"]).expanduser()
        if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
            raise CommandError(f"{directory} is not an empty folder.")
        articles = Article.objects.order_by("pk")
        if options["status"] != "all":
            articles = articles.filter(status=options["status"])
        directory.mkdir(parents=True, exist_ok=True)
        title = getattr(settings, "SITE_TITLE", "notes")
        report = export_notes(articles, options["format"], DirectorySink(directory), title)
        for slug, url in report.images_missing:
            self.stderr.write(self.style.WARNING(f"{slug}: image not in storage: {url}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {report.notes} note(s) and {report.images} image(s) to {directory} "
                f"({options['format']})."
            )
        )
        if report.images_missing:
            raise CommandError(f"{len(report.images_missing)} image(s) missing from storage.")
