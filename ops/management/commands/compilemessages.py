"""compilemessages that does not walk the virtualenvs and node_modules (seconds, not minutes)."""

from django.core.management.commands import compilemessages

from ops.catalogs import IGNORED


class Command(compilemessages.Command):
    def handle(self, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        return super().handle(**options)
