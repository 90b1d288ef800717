from django import forms

from search import query


class QueryField(forms.CharField):
    """Free text, never invalid: control characters dropped, length capped (see query.clean)."""

    def to_python(self, value):
        return query.clean(value if isinstance(value, str) else "")


class SearchForm(forms.Form):
    q = QueryField(required=False)
    category = forms.SlugField(required=False, allow_unicode=True)
    tag = forms.SlugField(required=False, allow_unicode=True)
    series = forms.SlugField(required=False, allow_unicode=True)

    def filters(self):
        """(category slug, tag slug, series slug), empty strings when absent or malformed."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("category", ""), data.get("tag", ""), data.get("series", "")

    def query_text(self):
        return query.clean(self.data.get("q", ""))
