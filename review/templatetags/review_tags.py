"""The review panel on a note's change page, and the count of notes waiting for review.

ArticleAdmin passes no review context: the panel reads what it shows here, from the note
(``original``) and the request already in the change form's context.
"""

from django import template
from django.urls import reverse
from reversion.models import Version

from articles.permissions import can_edit, can_review
from review import services
from review.forms import DecisionForm, PreviewLinkForm, SubmitForm
from review.models import ReviewRequest

register = template.Library()


@register.simple_tag
def pending_review_count():
    return ReviewRequest.objects.filter(state=ReviewRequest.State.PENDING).count()


def changes_since(article, review):
    """The History's comparison of the revision submitted with the stored note, or None."""
    submitted = (
        Version.objects.get_for_object(article)
        .filter(revision__date_created__lte=review.submitted_at)
        .order_by("-revision__date_created", "-pk")
        .first()
    )
    if submitted is None:
        return None
    url = reverse("admin:articles_article_compare", args=[article.pk])
    return f"{url}?a={submitted.pk}&b=current"


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
    changes_url = None
    if pending is not None and pending.changed_since_submission:
        changes_url = changes_since(article, pending)
    return {
        "show": True,
        "article": article,
        "pending": pending,
        "changes_url": changes_url,
        "last_step": steps[-1] if steps else None,
        "steps": steps,
        "may_submit": pending is None and services.may_submit(user, article),
        "may_decide": may_decide,
        "may_withdraw": pending is not None and editable,
        "submit_form": SubmitForm(),
        "decision_form": DecisionForm(initial={"version": article.version}),
        "pending_count": pending_review_count() if can_review(user) else None,
        "shares": shares,
        "link_form": PreviewLinkForm(),
        "preview_links": preview_links,
    }
