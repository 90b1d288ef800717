from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager

from articles import rendering


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(
        default=0, help_text="Lower numbers come first in navigation and on the categories page."
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("feeds:category_detail", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of public: published, and its publication time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user):
        """What a user may open by URL: staff who can change articles also see drafts."""
        if user.is_active and user.is_staff and user.has_perm("articles.change_article"):
            return self.all()
        return self.published()


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="The note's URL. Chinese is fine. Left empty, it is made from the title.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles"
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="A category that has notes cannot be deleted.",
    )
    tags = TaggableManager(
        blank=True, help_text="Separate tags with commas (, ， 、 ；). Quote a tag that has spaces."
    )
    body = MarkdownxField(
        help_text="Markdown with LaTeX: \\( \\) or $ $ inline, \\[ \\] or $$ $$ display."
    )
    summary = models.TextField(
        blank=True,
        help_text="Optional. Left empty, the summary is the note's opening text, cut near "
        "the configured length without breaking a word or a formula.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="A future time schedules the note: it stays hidden until then.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Computed from body/summary at save time by articles.rendering; never edited by hand.
    body_html = models.TextField(blank=True, editable=False)
    body_feed_html = models.TextField(blank=True, editable=False)
    toc_html = models.TextField(blank=True, editable=False)
    summary_text = models.TextField(blank=True, editable=False)
    summary_html = models.TextField(blank=True, editable=False)
    summary_feed_html = models.TextField(blank=True, editable=False)
    reading_minutes = models.PositiveIntegerField(default=1, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            models.Index(
                fields=["category", "status", "-published_at"], name="article_cat_public_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:article_detail", kwargs={"slug": self.slug})

    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    is_published.boolean = True

    def render(self):
        """Store the rendered body and summary (see articles.rendering). The body's plain text
        is kept on the instance (``plain_text``, not a column) for the search index."""
        result = rendering.render_article(self.body, summary=self.summary)
        for name in rendering.STORED_FIELDS:
            setattr(self, name, getattr(result, name))
        self.plain_text = result.plain_text

    def _unique_slug(self):
        base = slugify(self.title, allow_unicode=True)[:180] or "note"
        slug, n = base, 2
        while Article.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug
