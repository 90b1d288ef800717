"""Series: an ordered run of notes ("强化学习基础 1–6"). A note is in at most one series."""

from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from articles import rendering
from articles.models import Article


class Series(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("In the URL; Chinese is fine. Left empty, made from the title."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Plain text, shown on the series' page.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("series:detail", kwargs={"slug": self.slug})

    @property
    def name(self):
        # What feeds.stream.StreamState's fingerprint reads off any scope.
        return self.title

    def _unique_slug(self):
        # As a note's slug: from the readable title, formulas reduced to text.
        base = slugify(rendering.title_text(self.title), allow_unicode=True)[:180] or "series"
        slug, n = base, 2
        while Series.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class SeriesPart(models.Model):
    """A note's place in its series (one row per note: the note is in one series at most)."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="parts", verbose_name=_("series")
    )
    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="series_part", verbose_name=_("note")
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Lower numbers come first.")
    )

    class Meta:
        # Equal positions fall back to the publication order.
        ordering = ["position", "article__published_at", "pk"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        indexes = [models.Index(fields=["series", "position"], name="series_part_order_idx")]

    def __str__(self):
        return f"{self.series} #{self.position}: {self.article}"
