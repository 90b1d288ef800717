"""The review panel on a note's change page, and the count of notes waiting for review.

ArticleAdmin passes no review context: the panel reads what it shows here, from the note
(``original``) and the request already in the change form's context.
"""

from django import template
from django.urls import reverse

from articles.permissions import can_edit, can_review
from review import services
from review.forms import DecisionForm, PreviewLinkForm, SubmitForm
from review.models import ReviewRequest

register = template.Library()


@register.simple_tag
def pending_review_count():
    return ReviewRequest.objects.filter(state=ReviewRequest.State.PENDING).count()


@register.inclusion_tag("review/panel.html", takes_context=True)
def review_panel(context):
    article = context.get("original")
    request = context.get("request")
    if article is None or article.pk is None or request is None:
        return {"show": False}
    user = request.user
    editable = can_edit(user, article)
    if not (editable or can_review(user)):
        return {"show": False}
    pending = services.pending_request(article)
    may_decide = pending is not None and services.may_decide(user, article)
    shares = editable and not article.is_published()
    preview_links = []
    if shares:
        for link in article.preview_links.active().select_related("created_by"):
            url = reverse("review:preview", kwargs={"token": link.token})
            preview_links.append((link, request.build_absolute_uri(url)))
    steps = list(services.history(article))
    return {
        "show": True,
        "article": article,
        "pending": pending,
        "last_step": steps[-1] if steps else None,
        "steps": steps,
        "may_submit": pending is None and services.may_submit(user, article),
        "may_decide": may_decide,
        "submit_form": SubmitForm(),
        "decision_form": DecisionForm(initial={"version": article.version}),
        "pending_count": pending_review_count() if can_review(user) else None,
        "shares": shares,
        "link_form": PreviewLinkForm(),
        "preview_links": preview_links,
    }
