"""PostgreSQL: a narrow search table, and GIN indexes read without a pending list.

Ranking a common word reads the title/tag columns of thousands of search documents. With the
default layout each row also carries ~2 KB of body tokens and plain text inline, so those
reads touch most of the table. ``toast_tuple_target = 128`` moves the long columns out of
line (the TOAST table) while the short ones used for ranking stay in the row
(``STORAGE MAIN``): the main table shrinks about fivefold. Rows take the new layout when they
are next written: run ``manage.py rebuild_search_index`` after migrating.

``fastupdate = off``: without it, index updates collect in a pending list that every search
reads in full until the next vacuum.
"""

from django.db import migrations

TABLE = "articles_searchdocument"
INDEXES = ["articles_search_vector_gin", "articles_search_heading_gin"]
ROW_COLUMNS = ["title_tokens", "tags_tokens", "labels", "heading_vector"]

FORWARD = [
    f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)",
    f"ALTER TABLE {TABLE} "
    + ", ".join(f"ALTER COLUMN {column} SET STORAGE MAIN" for column in ROW_COLUMNS),
    *(f"ALTER INDEX {index} SET (fastupdate = off)" for index in INDEXES),
    *(f"SELECT gin_clean_pending_list('{index}'::regclass)" for index in INDEXES),
]
BACKWARD = [
    f"ALTER TABLE {TABLE} RESET (toast_tuple_target)",
    f"ALTER TABLE {TABLE} "
    + ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTENDED" for column in ROW_COLUMNS),
    *(f"ALTER INDEX {index} RESET (fastupdate)" for index in INDEXES),
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_search_heading_vector")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
