"""makemessages with the project's defaults: skips dependencies and tests, locations by file."""

from django.core.management.commands import makemessages

from ops.catalogs import IGNORED


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        # File names only: line numbers would change the catalog with every edit.
        options["add_location"] = options["add_location"] or "file"
        options["no_obsolete"] = True
        # Unwrapped entries: a reworded string changes its own lines, not its neighbours'.
        options["no_wrap"] = True
        return super().handle(*args, **options)
