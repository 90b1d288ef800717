"""Put the demo notes into the demo series (series/demo/series.toml). Run after load_demo;
idempotent: series are matched by slug, and parts already in place are left alone."""

import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Article
from series.models import Series, SeriesPart

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "series.toml"


class Command(BaseCommand):
    help = "Create (or update) the demo series from the demo notes; run load_demo first."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        entries = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))["series"]
        for entry in entries:
            notes = Article.objects.in_bulk(entry["parts"], field_name="slug")
            missing = [slug for slug in entry["parts"] if slug not in notes]
            if missing:
                raise CommandError(
                    f"{entry['slug']}: no demo note {', '.join(missing)} (load_demo?)"
                )
            series, was_created = Series.objects.get_or_create(
                slug=entry["slug"],
                defaults={"title": entry["title"], "description": entry["description"]},
            )
            created += was_created
            for position, slug in enumerate(entry["parts"], start=1):
                wanted = {"series": series, "position": position}
                part = SeriesPart.objects.filter(article=notes[slug]).first()
                if part is None:
                    SeriesPart.objects.create(article=notes[slug], **wanted)
                elif (part.series_id, part.position) != (series.pk, position):
                    part.series, part.position = series, position
                    part.save()
        self.stdout.write(
            f"Demo series: {created} created, {len(entries) - created} already there."
        )
