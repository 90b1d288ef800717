"""Series in the admin: the series and its ordered parts (notes found by autocomplete).

Who may manage series is Django's own add/change/delete/view_series permissions (the Editor
role holds them). A note is in one series at most: the inline's form says so when a note
already belongs to another series.
"""

from django.contrib import admin
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from series.models import Series, SeriesPart


class SeriesPartInline(admin.TabularInline):
    model = SeriesPart
    fields = ["position", "article"]
    autocomplete_fields = ["article"]
    extra = 1
    ordering = ["position", "article__published_at", "pk"]
    verbose_name = _("part")
    verbose_name_plural = _("parts (in reading order: lower positions first)")

    def get_formset(self, request, obj=None, **kwargs):
        # A new part goes after the last one unless the editor types another position.
        formset = super().get_formset(request, obj, **kwargs)
        last = obj.parts.aggregate(last=Max("position"))["last"] if obj and obj.pk else None
        formset.form.base_fields["position"].initial = 1 if last is None else last + 1
        return formset


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "part_count", "updated_at"]
    search_fields = ["title", "slug", "description"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["title", "slug", "description", "created_at", "updated_at"]
    inlines = [SeriesPartInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(part_count=Count("parts"))

    @admin.display(description=_("parts (drafts included)"), ordering="part_count")
    def part_count(self, series):
        return series.part_count
