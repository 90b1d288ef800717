"""Title-and-tags tsvector (PostgreSQL): finds the strong matches of a common word fast."""

import django.contrib.postgres.search
from django.db import migrations


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX articles_search_heading_gin ON articles_searchdocument "
            "USING gin (heading_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS articles_search_heading_gin")


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_search_index_structures")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="heading_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(add_index, drop_index, elidable=False),
    ]
