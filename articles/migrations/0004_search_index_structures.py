"""The database-specific half of the search index (see articles.search.models.SearchDocument).

PostgreSQL: a GIN index on the stored tsvector. SQLite: an FTS5 table (unicode61 tokenizer over
the jieba-segmented columns) whose content is the search document table, kept in step by
triggers. Other databases get neither.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "CREATE INDEX articles_search_vector_gin ON articles_searchdocument USING gin (vector)",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS articles_search_vector_gin"]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE articles_search_fts USING fts5(
        title_tokens, tags_tokens, body_tokens,
        content='articles_searchdocument', content_rowid='article_id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER articles_search_fts_insert AFTER INSERT ON articles_searchdocument BEGIN
        INSERT INTO articles_search_fts(rowid, title_tokens, tags_tokens, body_tokens)
        VALUES (new.article_id, new.title_tokens, new.tags_tokens, new.body_tokens);
    END
    """,
    """
    CREATE TRIGGER articles_search_fts_delete AFTER DELETE ON articles_searchdocument BEGIN
        INSERT INTO articles_search_fts(articles_search_fts, rowid, title_tokens, tags_tokens,
                                        body_tokens)
        VALUES ('delete', old.article_id, old.title_tokens, old.tags_tokens, old.body_tokens);
    END
    """,
    """
    CREATE TRIGGER articles_search_fts_update AFTER UPDATE ON articles_searchdocument BEGIN
        INSERT INTO articles_search_fts(articles_search_fts, rowid, title_tokens, tags_tokens,
                                        body_tokens)
        VALUES ('delete', old.article_id, old.title_tokens, old.tags_tokens, old.body_tokens);
        INSERT INTO articles_search_fts(rowid, title_tokens, tags_tokens, body_tokens)
        VALUES (new.article_id, new.title_tokens, new.tags_tokens, new.body_tokens);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_search_fts_update",
    "DROP TRIGGER IF EXISTS articles_search_fts_delete",
    "DROP TRIGGER IF EXISTS articles_search_fts_insert",
    "DROP TABLE IF EXISTS articles_search_fts",
]

STATEMENTS = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor, direction):
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    for sql in statements[direction] if statements else []:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def backward(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_search_document")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
