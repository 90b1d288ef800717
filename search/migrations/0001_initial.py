"""SearchDocument moves here from the articles app, table and data untouched.

Only Django's model state changes (articles 0007 drops the model from its state after this
migration adds it here); the content type is relabelled so that its permissions carry over.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label=old, model="searchdocument").update(
        app_label=new
    )


def forwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, "articles", "search")


def backwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, "search", "articles")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0006_search_compact_rows"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchDocument",
                    fields=[
                        (
                            "article",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="search_document",
                                serialize=False,
                                to="articles.article",
                            ),
                        ),
                        ("title_tokens", models.TextField()),
                        ("tags_tokens", models.TextField(blank=True)),
                        ("body_tokens", models.TextField(blank=True)),
                        (
                            "labels",
                            models.TextField(
                                blank=True, help_text="Tag and category names, as written."
                            ),
                        ),
                        (
                            "plain_text",
                            models.TextField(
                                blank=True, help_text="The body as plain text, as written."
                            ),
                        ),
                        (
                            "vector",
                            django.contrib.postgres.search.SearchVectorField(
                                editable=False, null=True
                            ),
                        ),
                        (
                            "heading_vector",
                            django.contrib.postgres.search.SearchVectorField(
                                editable=False, null=True
                            ),
                        ),
                    ],
                    options={"db_table": "articles_searchdocument"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
