"""Migrations that move state between apps, run on a database that has the old ones applied."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_MOVE = [("articles", "0006_search_compact_rows"), ("search", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_search_document_moves_to_the_search_app_without_touching_rows():
    leaves = leaf_nodes()
    old = migrate(BEFORE_MOVE)
    User = old.get_model("auth", "User")
    Category = old.get_model("articles", "Category")
    Article = old.get_model("articles", "Article")
    OldDocument = old.get_model("articles", "SearchDocument")
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="articles", model="searchdocument")
    author = User.objects.create(username="mover")
    note = Article.objects.create(
        title="迁移前的笔记",
        slug="before-the-move",
        author=author,
        # An earlier transactional test's flush may have removed the default categories.
        category=Category.objects.get_or_create(slug="rl", defaults={"name": "RL"})[0],
        body="正文",
    )
    OldDocument.objects.create(
        article=note, title_tokens="迁移 前 的 笔记", body_tokens="正文", plain_text="正文"
    )

    new = migrate(leaves)

    document = new.get_model("search", "SearchDocument").objects.get(article_id=note.pk)
    assert (document.title_tokens, document.plain_text) == ("迁移 前 的 笔记", "正文")
    content_types = new.get_model("contenttypes", "ContentType").objects
    assert content_types.filter(app_label="search", model="searchdocument").exists()
    assert not content_types.filter(app_label="articles", model="searchdocument").exists()


@pytest.mark.django_db(transaction=True)
def test_the_move_is_reversible():
    leaves = leaf_nodes()
    old = migrate(BEFORE_MOVE)
    assert old.get_model("articles", "SearchDocument")._meta.db_table == "articles_searchdocument"
    new = migrate(leaves)
    assert new.get_model("search", "SearchDocument")._meta.db_table == "articles_searchdocument"
