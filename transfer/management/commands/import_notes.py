from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, no_translations
from tqdm import tqdm

from transfer.categories import MappingFileError, load_mapping_file
from transfer.formats import FORMATS
from transfer.services import STATUS_CHOICES, Importer, ImportOptions


def print_report(command, report, verbosity):
    """The closing report: skipped files always (on stderr), the rest from verbosity 1, every
    note's outcome from verbosity 2."""
    if verbosity >= 1:
        style = command.style.SUCCESS if report.ok else command.style.WARNING
        command.stdout.write(style(report.summary_line()))
    sections = report.detail_lines()
    if verbosity >= 2:
        outcomes = [("Created", report.created), ("Updated", report.updated)]
        sections = [*outcomes, ("Unchanged", report.unchanged), *sections]
    for heading, lines in sections:
        stream = command.stderr if heading == "Skipped" else command.stdout
        if lines and (verbosity >= 1 or stream is command.stderr):
            stream.write(f"{heading}:")
            for line in lines:
                stream.write(f"  {line}")


class Command(BaseCommand):
    help = (
        "Import notes from a Hexo, Hugo or Jekyll site, an Obsidian vault, Markdown files or a "
        "WordPress export (WXR). Importing again updates changed notes in place and never "
        "duplicates. Exits non-zero if any file was skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="A site's root, a content folder, single Markdown files, or a WXR .xml file.",
        )
        parser.add_argument(
            "--format",
            default="auto",
            choices=["auto", *FORMATS],
            help="Source format (default: auto, told apart from the files themselves).",
        )
        parser.add_argument(
            "--author",
            metavar="USERNAME",
            help="Owner of new notes (default: the only superuser).",
        )
        parser.add_argument(
            "--category-map",
            metavar="FILE",
            help="TOML or YAML table: source category or tag name = our category slug.",
        )
        parser.add_argument(
            "--default-category",
            metavar="SLUG",
            help="Category for notes whose categories and tags map to none of ours.",
        )
        parser.add_argument(
            "--status",
            default="keep",
            choices=STATUS_CHOICES,
            help="keep (default): the source's own draft flag; or make every note a draft "
            "or published.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be imported; store nothing.",
        )

    @no_translations  # operator console output: English, whatever LANGUAGE_CODE says
    def handle(self, *args, **options):
        paths = [Path(p).expanduser() for p in options["paths"]]
        for path in paths:
            if not path.exists():
                raise CommandError(f"No such file or folder: {path}")
        mapping = None
        try:
            if options["category_map"]:
                mapping = load_mapping_file(Path(options["category_map"]))
            importer = Importer(
                ImportOptions(
                    author=self._author(options["author"]),
                    format=options["format"],
                    status=options["status"],
                    category_map=mapping,
                    default_category=options["default_category"],
                    dry_run=options["dry_run"],
                )
            )
        except MappingFileError as error:
            raise CommandError(str(error)) from error
        total = importer.collect(paths)
        verbosity = options["verbosity"]
        with tqdm(total=total, unit="note", disable=None if verbosity else True) as bar:
            report = importer.run(advance=lambda: bar.update(1))
        print_report(self, report, verbosity)
        if not report.ok:
            raise CommandError(f"{len(report.skipped)} file(s) skipped, see above.")

    def _author(self, username):
        users = get_user_model().objects
        if username:
            try:
                return users.get(username=username)
            except users.model.DoesNotExist as error:
                raise CommandError(f"No user named {username!r}.") from error
        superusers = list(users.filter(is_superuser=True)[:2])
        if len(superusers) != 1:
            raise CommandError("Name the notes' author with --author USERNAME.")
        return superusers[0]
