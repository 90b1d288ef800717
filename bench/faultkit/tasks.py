"""Django-side tasks of a fault run, run in the stack's environment by ``Stack.django_task``.

    tasks.py seed N USER PASSWORD  the demo notes, then copies up to N notes; a superuser
    tasks.py paths                 the public paths the load generator cycles through
    tasks.py pks N                 the first N published notes' ids, on one line
    tasks.py url PK                a note's path
    tasks.py check [PK ...]        half-stored notes; the given notes re-rendered and compared

Results are one line of JSON (pks: ids separated by spaces), after any log lines.
"""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notes_site.settings.production")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import rendering  # noqa: E402
from articles.models import Article, Category  # noqa: E402


def seed(count, username, password):
    call_command("load_demo", verbosity=0)
    demo = list(Article.objects.order_by("pk"))
    start = timezone.now() - timedelta(days=400)
    for n in range(len(demo), count):
        source = demo[n % len(demo)]
        copy = Article(
            title=f"{source.title} · 副本 {n}",
            slug=f"{source.slug}-copy-{n}",
            author=source.author,
            category=source.category,
            body=source.body + f"\n\n（第 {n} 篇副本，用于故障测试。）\n",
            status=Article.Status.PUBLISHED,
            published_at=start + timedelta(hours=n),
        )
        copy.save()
        copy.tags.set(list(source.tags.names()))
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password(password)
    user.save()
    return {"notes": Article.objects.count(), "categories": Category.objects.count()}


def paths():
    notes = [a.get_absolute_url() for a in Article.objects.published()[:200]]
    categories = [c.get_absolute_url() for c in Category.objects.all()]
    slugs = sorted(set(Article.tags.values_list("slug", flat=True)))[:20]
    tags = [reverse("feeds:tag_detail", kwargs={"slug": slug}) for slug in slugs]
    year = Article.objects.published().first().published_at.year
    archive = reverse("feeds:archive_year", kwargs={"year": year})
    return {
        "notes": notes,
        "categories": categories,
        "tags": tags,
        "archive": archive,
        "category_pk": Category.objects.values_list("pk", flat=True).first(),
    }


SEARCH_FIELDS = ("title_tokens", "tags_tokens", "body_tokens", "labels", "plain_text")


def _words(document, field):
    """A search field as compared: tags and category come in no particular order."""
    value = getattr(document, field)
    return sorted(value.split()) if field in ("tags_tokens", "labels") else value


def _first_difference(stored, fresh):
    """Where a stored rendering and a fresh one part: a little text of each from there."""
    at = next((i for i, (a, b) in enumerate(zip(stored, fresh, strict=False)) if a != b), None)
    at = min(len(stored), len(fresh)) if at is None else at
    return {"at": at, "stored": stored[at : at + 80], "fresh": fresh[at : at + 80]}


def check(pks):
    """Every way a note can be half stored, counted; the touched notes re-rendered."""
    search_document = apps.get_model("search", "SearchDocument")
    from search.indexing import build_document

    without_row = Article.objects.exclude(pk__in=search_document.objects.values("article_id"))
    orphans = search_document.objects.exclude(article_id__in=Article.objects.values("pk"))
    report = {
        "notes": Article.objects.count(),
        "notes_without_search_row": list(without_row.values_list("pk", flat=True)),
        "search_rows_without_note": orphans.count(),
        "checked": 0,
        "stale_render": [],
        "stale_search_row": [],
        "without_revision": [],
    }
    versions = None
    report["revisions"] = "not checked: Article is not registered with django-reversion"
    if apps.is_installed("reversion"):
        import reversion
        from reversion.models import Version

        if reversion.is_registered(Article):
            versions = Version.objects
            report["revisions"] = "checked"
    for article in Article.objects.filter(pk__in=pks):
        report["checked"] += 1
        fresh = rendering.render_article(article.body, summary=article.summary)
        if (fresh.summary_text, fresh.body_html) != (article.summary_text, article.body_html):
            report["stale_render"].append(article.pk)
            report.setdefault("first_stale_render", _first_difference(article.body_html,
                                                                      fresh.body_html))  # fmt: skip
        document = search_document.objects.filter(article=article).first()
        expected = build_document(article)
        stale = [
            f for f in SEARCH_FIELDS if document and _words(document, f) != _words(expected, f)
        ]
        if stale:
            report["stale_search_row"].append({"pk": article.pk, "fields": stale})
        if versions is not None and not versions.get_for_object(article).exists():
            report["without_revision"].append(article.pk)
    return report


if __name__ == "__main__":
    task, *args = sys.argv[1:]
    if task == "pks":
        published = Article.objects.published().order_by("pk")
        print(" ".join(str(pk) for pk in published.values_list("pk", flat=True)[: int(args[0])]))
        sys.stdout.flush()
        os._exit(0)
    if task == "seed":
        result = seed(int(args[0]), *args[1:3])
    elif task == "paths":
        result = paths()
    elif task == "url":
        result = Article.objects.get(pk=int(args[0])).get_absolute_url()
    else:
        result = check([int(pk) for pk in args])
    print(json.dumps(result, ensure_ascii=False), flush=True)
    # Skip interpreter shutdown: mini-racer's context destructor can block it (issue 15, part 4).
    os._exit(0)
