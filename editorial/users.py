"""Reassigning a user's notes (before deleting the user: Article.author is PROTECT)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.services import save_article
from editorial import audit
from editorial.roles import EDITOR


def editors():
    """Who may receive notes: active editors and superusers."""
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(Q(is_superuser=True) | Q(groups__name=EDITOR)).distinct()


class ReassignForm(forms.Form):
    to = forms.ModelChoiceField(
        queryset=editors(),
        label=_("Give their notes to"),
        help_text=_("An active editor (or superuser)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = editors()  # evaluated per form, not at import


def reassign_notes(users, to, *, request):
    """Give every note of ``users`` to ``to``: one revision per note, one audit entry per user."""
    moved = 0
    with transaction.atomic():
        for user in users:
            if user.pk == to.pk:
                continue
            notes = list(Article.objects.filter(author=user).select_related("category"))
            for note in notes:
                note.author = to
                save_article(note, user=request.user, comment=f"Reassigned from {user} to {to}.")
            audit.record(
                audit.Action.REASSIGN,
                request=request,
                obj=user,
                summary=f"{len(notes)} note(s) of {user} given to {to}.",
            )
            moved += len(notes)
    return moved
