"""Admin list filters by review state: the notes list's and the review requests' own."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from review.models import ReviewRequest

State = ReviewRequest.State


class ReviewStateFilter(admin.SimpleListFilter):
    """Notes by the state of their latest review request (added to ArticleAdmin by review)."""

    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("Waiting for review")),
            ("sent_back", _("Sent back")),
            ("approved", _("Approved")),
            ("none", _("Never submitted")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        requests = ReviewRequest.objects.filter(article=OuterRef("pk"))
        if value == "none":
            return queryset.filter(~Exists(requests))
        states = {
            "pending": [State.PENDING],
            "sent_back": [State.SENT_BACK],
            "approved": [State.APPROVED, State.SCHEDULED],
        }.get(value)
        if states is None:
            return queryset
        latest = requests.order_by("-submitted_at", "-pk").values("state")[:1]
        return queryset.alias(review_state=Subquery(latest)).filter(review_state__in=states)


class RequestStateFilter(admin.SimpleListFilter):
    """The review requests' list shows those waiting unless asked for another state."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return State.choices

    def value(self):
        return super().value() or State.PENDING

    def choices(self, changelist):
        current = self.value()
        for lookup, title in [(self.ALL, _("All")), *self.lookup_choices]:
            yield {
                "selected": current == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        return queryset.filter(state=value)
