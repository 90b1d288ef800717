"""SearchDocument now belongs to the search app (search 0001); the table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_search_compact_rows"),
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SearchDocument")],
            database_operations=[],
        ),
    ]
