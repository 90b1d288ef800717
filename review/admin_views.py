"""The review panel's POST endpoints (registered by ReviewRequestAdmin.get_urls,
behind the admin's login and CSRF check).

Each answers a redirect back to the note's change page with a message, or, when the step is
refused, a page saying why: 400 for bad input, 409 when the note or request is not in a
state the step applies to, 403 (PermissionDenied) for a user who may not take it.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles.models import Article
from articles.permissions import can_edit
from review import links, services
from review.forms import DecisionForm, PreviewLinkForm, SendBackForm, SubmitForm
from review.models import PreviewLink, ReviewRequest


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def back(article):
    return redirect(f"{change_url(article)}#review-panel")


def refused(request, article, message, status):
    context = {"article": article, "message": message, "change_url": change_url(article)}
    context["title"] = _("Not done")
    return TemplateResponse(request, "review/refused.html", context, status=status)


def form_errors(form):
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def editable_article(request, pk):
    article = get_object_or_404(Article, pk=pk)
    if not can_edit(request.user, article):
        raise PermissionDenied
    return article


def logged(request, article, message):
    """The step in the note's admin history (LogEntry; the audit trail records it too)."""
    admin.site.get_model_admin(Article).log_change(request, article, message)


@require_POST
def submit(request, pk):
    article = editable_article(request, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return refused(request, article, form_errors(form), 400)
    try:
        services.submit(
            article,
            request.user,
            comment=form.cleaned_data["comment"],
            admin_url=request.build_absolute_uri(change_url(article)),
        )
    except services.ReviewRefused as refusal:
        return refused(request, article, refusal.message, 409)
    logged(request, article, "Submitted for review.")
    messages.success(request, _("Submitted for review: the editors have been told."))
    return back(article)


@require_POST
def withdraw(request, pk):
    review = get_object_or_404(ReviewRequest.objects.select_related("article"), pk=pk)
    try:
        services.withdraw(review, request.user)
    except services.ReviewRefused as refusal:
        return refused(request, review.article, refusal.message, 409)
    logged(request, review.article, "Withdrawn from review.")
    messages.success(request, _("Withdrawn: the note no longer waits for review."))
    return back(review.article)


def decide(request, pk, *, sending_back):
    review = get_object_or_404(ReviewRequest.objects.select_related("article"), pk=pk)
    article = review.article
    if not services.may_decide(request.user, article):
        raise PermissionDenied
    form = (SendBackForm if sending_back else DecisionForm)(request.POST)
    if not form.is_valid():
        return refused(request, article, form_errors(form), 400)
    data = form.cleaned_data
    admin_url = request.build_absolute_uri(change_url(article))
    try:
        if sending_back:
            services.send_back(
                review,
                request.user,
                comment=data["comment"],
                expected_version=data["version"],
                admin_url=admin_url,
            )
        else:
            services.approve(
                review,
                request.user,
                publish_at=data["publish_at"],
                expected_version=data["version"],
                admin_url=admin_url,
            )
    except services.ReviewRefused as refusal:
        return refused(request, article, refusal.message, 409)
    if sending_back:
        logged(request, article, "Sent back to the writer.")
        messages.success(request, _("Sent back: the writer sees your comment on this page."))
    elif data["publish_at"]:
        logged(request, article, "Approved, scheduled.")
        messages.success(request, _("Approved: the note goes out at the time you set."))
    else:
        logged(request, article, "Approved and published.")
        messages.success(request, _("Approved: the note is published."))
    return back(article)


@require_POST
def approve(request, pk):
    return decide(request, pk, sending_back=False)


@require_POST
def send_back(request, pk):
    return decide(request, pk, sending_back=True)


@require_POST
def create_link(request, pk):
    article = editable_article(request, pk)
    form = PreviewLinkForm(request.POST)
    if not form.is_valid():
        return refused(request, article, form_errors(form), 400)
    try:
        links.create(article, request.user, days=form.cleaned_data["days"])
    except services.ReviewRefused as refusal:
        return refused(request, article, refusal.message, 409)
    messages.success(request, _("Preview link made: copy it from the list below."))
    return back(article)


@require_POST
def revoke_link(request, pk):
    link = get_object_or_404(PreviewLink.objects.select_related("article"), pk=pk)
    try:
        links.revoke(link, request.user)
    except services.ReviewRefused as refusal:
        return refused(request, link.article, refusal.message, 409)
    messages.success(request, _("Preview link revoked: it no longer opens the note."))
    return back(link.article)
