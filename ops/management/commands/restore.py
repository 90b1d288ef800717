"""``manage.py restore DIR``: bring a snapshot back into an empty database and media folder."""

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ops.databases import DRIVER_ERRORS, add_database_arguments, database_for
from ops.errors import BackupError
from ops.snapshot import restore_backup


class Command(BaseCommand):
    # The system checks open the database (Django 6.1 probes SQLite's JSON support): an
    # unreachable one must be this command's own clear failure, not a traceback.
    requires_system_checks = []
    help = (
        "Restore a snapshot written by `manage.py backup` into an EMPTY database and media "
        "storage, after checking every sha256 in its manifest; then compare the row count of "
        "every table with the manifest. DIR is a snapshot folder, or a backup folder (its "
        "newest snapshot is used)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A snapshot folder, or a folder of snapshots.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a non-empty target: DROP the database's public schema (SQLite: "
            "overwrite the file) and delete every media file first.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="With --force, do not ask for confirmation.",
        )
        add_database_arguments(parser, "pg_restore")

    def handle(self, directory, force, interactive, database, pg_bin_dir, verbosity, **options):
        if database not in connections:
            raise CommandError(f"unknown database alias {database!r}")
        connection = connections[database]
        if force and interactive:
            name = connection.settings_dict["NAME"]
            answer = input(
                f"This DELETES everything in the database {name!r} and in the media storage, "
                "then restores the snapshot. Type 'yes' to go on: "
            )
            if answer != "yes":
                raise CommandError("restore cancelled")
        # The restore writes through its own connection; Django's must not hold the database.
        connection.close()
        log = self.stdout.write if verbosity >= 1 else (lambda message: None)
        try:
            db = database_for(
                connection.settings_dict, vendor=connection.vendor, pg_bin_dir=pg_bin_dir
            )
            result = restore_backup(
                directory, database=db, storage=storages["default"], force=force, log=log
            )
        except (BackupError, OSError, *DRIVER_ERRORS) as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        if verbosity >= 2:
            for table, rows in result["tables"].items():
                self.stdout.write(f"  {table}: {rows}")
        self.stdout.write(self.style.SUCCESS(f"Restored {result['snapshot']}"))
        if result["pending_migrations"]:
            self.stdout.write(
                self.style.WARNING(
                    f"The snapshot predates {len(result['pending_migrations'])} migrations of "
                    "this version: run `manage.py migrate` next."
                )
            )
