"""Fill revised_at and clear the dates drafts never really had.

- ``revised_at``: the last save is the best we know of the last content change.
- Drafts: until now the form showed ``timezone.now`` as the date and saved it, so a draft's date
  at or before its creation is that shown default, not a choice: it becomes empty and is set at
  publication. A draft dated after its creation was typed by its author (a planned date): it is
  kept, as any date an author sets. Published notes keep their dates.
"""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.update(revised_at=F("updated_at"))
    Article.objects.filter(status="draft", published_at__lte=F("created_at")).update(
        published_at=None
    )


def backwards(apps, schema_editor):
    # The old schema needs a date on every note: drafts get their creation time back.
    Article = apps.get_model("articles", "Article")
    Article.objects.filter(published_at__isnull=True).update(published_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_revisions_autosave_publication_dates")]

    operations = [migrations.RunPython(forwards, backwards)]
