"""The review panel's forms. Their fields sit inside the note's change form (the panel is
part of it), so each has its own prefix and none is ``required`` in HTML: the note's own
Save must never be blocked by them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from review import links


class SubmitForm(forms.Form):
    prefix = "review_submit"

    comment = forms.CharField(
        label=_("Note to the editor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    prefix = "review_decision"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=_("Comment for the writer"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        help_text=_("Leave empty to publish now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class SendBackForm(DecisionForm):
    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError(_("Say what the writer should change."))
        return comment


class PreviewLinkForm(forms.Form):
    prefix = "review_link"

    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=lambda: [
            (days, _("%(days)d days") % {"days": days}) for days in links.term_choices()
        ],
        initial=links.default_days,
    )
