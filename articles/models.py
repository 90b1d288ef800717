import reversion
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from reversion.models import Revision
from taggit.managers import TaggableManager

from articles import rendering
from articles.images import StoredImage as StoredImage  # a model of this app, defined there
from articles.images import stored_image_facts
from articles.rendering.limits import validate_body_length
from notes_site.cached_urls import cached_reverse


def category_url(slug):
    """``Category.get_absolute_url`` from the slug alone (a list page prints one per card)."""
    return cached_reverse("feeds:category_detail", slug=slug)


def article_url(slug):
    """``Article.get_absolute_url`` from the slug alone."""
    return cached_reverse("articles:article_detail", slug=slug)


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Lower numbers come first in navigation and on the categories page."),
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return category_url(self.slug)


def published_q(prefix=""):
    """The one definition of public, as a condition on the notes reached through ``prefix``
    (``"articles__"`` from a category): published, and its publication time has come."""
    return models.Q(
        **{
            f"{prefix}status": Article.Status.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
        }
    )


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Public notes (``published_q``)."""
        return self.filter(published_q())

    def visible_to(self, user):
        """What a user may open by URL: editors (and staff with view_article) see every draft,
        writers their own (as articles.permissions decides in the admin)."""
        if not (user.is_active and user.is_staff):
            return self.published()
        if user.has_perm("articles.edit_any_article") or user.has_perm("articles.view_article"):
            return self.all()
        if user.has_perm("articles.change_article"):
            return self.published() | self.filter(author=user)
        return self.published()


# Revisions keep what an author edits; renders are recomputed on restore, version is bookkeeping.
# Tags are not serialised by reversion (taggit's through model): RevisionDetail keeps them.
@reversion.register(exclude=[*rendering.STORED_FIELDS, "version"])
class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("The note's URL. Chinese is fine. Left empty, it is made from the title."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("author"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("category"),
        help_text=_("A category that has notes cannot be deleted."),
    )
    tags = TaggableManager(
        verbose_name=_("tags"),
        blank=True,
        help_text=_("Separate tags with commas (, ， 、 ；). Quote a tag that has spaces."),
    )
    body = MarkdownxField(
        _("body"),
        help_text=_("Markdown with LaTeX: \\( \\) or $ $ inline, \\[ \\] or $$ $$ display."),
        validators=[validate_body_length],
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_(
            "Optional. Left empty, the summary is the note's opening text, cut near "
            "the configured length without breaking a word or a formula."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "Leave empty to publish at the moment the status becomes Published. "
            "A time you type is kept; a future time schedules the note (hidden until then)."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Every save (any field, tags included); feeds' ETags and Last-Modified rely on it.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The last meaningful content change (title, body, summary; not whitespace, not tags): the
    # "updated" time readers see. Set by articles.services.save_article; importers may pass it.
    revised_at = models.DateTimeField(_("revised at"), null=True, blank=True, editable=False)
    # Moves by one on every save_article(); the change form carries it (lost-update check).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # Computed from body/summary at save time by articles.rendering; never edited by hand.
    body_html = models.TextField(blank=True, editable=False)
    body_feed_html = models.TextField(blank=True, editable=False)
    toc_html = models.TextField(blank=True, editable=False)
    summary_text = models.TextField(blank=True, editable=False)
    summary_html = models.TextField(blank=True, editable=False)
    summary_feed_html = models.TextField(blank=True, editable=False)
    reading_minutes = models.PositiveIntegerField(
        _("reading time (minutes)"), default=1, editable=False
    )
    # Computed from the title: formulas typeset (HTML) and readable (plain text).
    title_html = models.TextField(blank=True, editable=False)
    title_text = models.TextField(blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        # Drafts have no date until publication: they come first, on every database.
        ordering = [models.F("published_at").desc(nulls_first=True), "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        # Beyond add/change/delete/view (which, without these, reach only one's own notes):
        # the roles (Contributor, Author, Editor) are groups holding them (articles.permissions).
        permissions = [
            ("publish_article", "Can publish and unpublish own notes"),
            ("edit_any_article", "Can edit, publish, delete and reassign anyone's notes"),
            ("review_article", "Can approve or send back notes submitted for review"),
        ]
        indexes = [
            # The stream's filter and full order (published_at, then id): a page is a range
            # of the index, the next publication one probe (bench/README.md, issue 14).
            models.Index(fields=["status", "-published_at", "-id"], name="article_stream_idx"),
            models.Index(
                fields=["category", "status", "-published_at", "-id"],
                name="article_cat_stream_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Store the note (slug, publication date, renders). Edits go through
        ``articles.services.save_article``, which also records a revision."""
        if not self.slug:
            self.slug = self._unique_slug()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            # Nobody set a date: the note is published now (see the field's help text).
            self.published_at = timezone.now()
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return article_url(self.slug)

    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    is_published.boolean = True
    is_published.short_description = _("public")

    @property
    def last_revised_at(self):
        """What readers see as "updated": the last content change, never before publication."""
        dates = [date for date in (self.revised_at, self.published_at) if date is not None]
        return max(dates, default=None)

    def render(self):
        """Store the rendered body and summary (see articles.rendering). The body's plain text
        is kept on the instance (``plain_text``, not a column) for the search index."""
        result = rendering.render_article(
            self.body, summary=self.summary, title=self.title, images=stored_image_facts
        )
        for name in rendering.STORED_FIELDS:
            setattr(self, name, getattr(result, name))
        self.plain_text = result.plain_text

    def _unique_slug(self):
        # From the readable title: "把 $\mathcal{O}(n^2)$" gives "把-on2", not "mathcalon2".
        base = slugify(rendering.title_text(self.title), allow_unicode=True)[:180] or "note"
        slug, n = base, 2
        while Article.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class RevisionDetail(models.Model):
    """What one revision of a note holds beyond reversion's Version: its tags and its kind."""

    class Kind(models.TextChoices):
        SAVE = "save", _("Saved")
        BULK = "bulk", _("Bulk action")
        RESTORE = "restore", _("Restored")
        CONFLICT = "conflict", _("Conflict copy (not applied)")
        IMPORT = "import", _("Imported")
        COMMAND = "command", _("Command")
        DELETE = "delete", _("Deleted")

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="article_details")
    article_id = models.BigIntegerField(db_index=True)  # no FK: deleted notes keep their history
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SAVE)
    tags = models.JSONField(
        _("tags"), default=list, help_text=_("[[tag id, tag name], ...] at that revision.")
    )
    # To name a deleted category.
    category_name = models.CharField(_("category name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("revision detail")
        verbose_name_plural = _("revision details")
        constraints = [
            models.UniqueConstraint(fields=["revision", "article_id"], name="revision_detail_once")
        ]

    def __str__(self):
        return gettext("%(kind)s #%(revision)s (note %(note)s)") % {
            "kind": self.get_kind_display(),
            "revision": self.revision_id,
            "note": self.article_id,
        }


class Autosave(models.Model):
    """A user's unsaved text of a note (``article`` empty: a new note), one per user and note."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="autosaves",
        verbose_name=_("user"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="autosaves",
        verbose_name=_("note"),
    )
    base_version = models.PositiveIntegerField(
        _("base version"),
        null=True,
        blank=True,
        help_text=_("The note's version the editor was loaded from."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    tags = models.CharField(_("tags"), max_length=1000, blank=True)
    body = models.TextField(_("body"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=models.Q(article__isnull=False),
                name="autosave_one_per_user_note",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(article__isnull=True),
                name="autosave_one_new_note_per_user",
            ),
        ]

    def __str__(self):
        note = self.article or gettext("a new note")
        return gettext("Autosave of %(note)s by %(user)s") % {"note": note, "user": self.user}
