"""Stored title renders (issue 16): existing notes get their title as it was shown until now
(escaped, formulas as written); ``manage.py rerender_articles`` then typesets them."""

import html

from django.db import migrations, models


def fill_titles(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("pk", "title").iterator():
        Article.objects.filter(pk=article.pk).update(
            title_html=html.escape(article.title, quote=False), title_text=article.title
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_body_length_limit"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="title_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="article",
            name="title_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_titles, migrations.RunPython.noop, elidable=True),
    ]
