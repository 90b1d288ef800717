"""``manage.py backup DIR``: one consistent snapshot of the database and the media files."""

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ops.databases import DRIVER_ERRORS, add_database_arguments, database_for
from ops.errors import BackupError
from ops.snapshot import create_backup, load_manifest


def positive_int(value):
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    # The system checks open the database (Django 6.1 probes SQLite's JSON support): an
    # unreachable one must be this command's own clear failure, not a traceback.
    requires_system_checks = []
    help = (
        "Write a snapshot of the database (pg_dump -Fc, or SQLite's online backup) and of the "
        "media files, with a manifest of row counts and sha256 checksums, into a new folder "
        "DIR/<UTC time>. Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", help="Folder that holds the snapshots (created if needed)."
        )
        parser.add_argument(
            "--keep",
            type=positive_int,
            metavar="N",
            help="After a successful backup, delete all but the newest N snapshots in DIR.",
        )
        add_database_arguments(parser, "pg_dump/pg_restore")

    def handle(self, directory, keep, database, pg_bin_dir, verbosity, **options):
        if database not in connections:
            raise CommandError(f"unknown database alias {database!r}")
        connection = connections[database]
        try:
            db = database_for(
                connection.settings_dict, vendor=connection.vendor, pg_bin_dir=pg_bin_dir
            )
            snapshot = create_backup(directory, database=db, storage=storages["default"], keep=keep)
        except (BackupError, OSError, *DRIVER_ERRORS) as exc:
            raise CommandError(f"backup failed: {exc}") from exc

        manifest = load_manifest(snapshot)
        if verbosity >= 2:
            for table, rows in manifest["tables"].items():
                self.stdout.write(f"  {table}: {rows}")
        rows = sum(manifest["tables"].values())
        files = manifest["media"]["files"]
        size = manifest["database"]["size"] + sum(f["size"] for f in files)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({rows} rows) and {len(files)} "
                f"media files, {size / 1e6:.1f} MB, to {snapshot}"
            )
        )
