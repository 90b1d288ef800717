"""The reader's pages are Jinja2 templates (``templates/jinja2/``); the admin's stay Django's.

A list page's Django templates cost about as much as its query (20 cards, ~7 includes, a few
hundred variable lookups through ``Context``); compiled Jinja2 prints the same HTML for a
fraction of it (bench/README.md). ``environment()`` gives the templates what Django's tags
and filters gave them; ``Jinja2`` tells Django's test client what it rendered, as Django's own
engine does, so tests can read ``response.context``.
"""

from django.template.backends import jinja2 as django_jinja2
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaks_filter, truncatechars
from django.templatetags.static import static
from django.test.signals import template_rendered
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment

from feeds.sidebar import reader_sidebar
from notes_site.cached_urls import cached_reverse
from series.note_page import note_parts


class Jinja2(django_jinja2.Jinja2):
    def get_template(self, template_name):
        return Template(super().get_template(template_name).template, self)

    def from_string(self, template_code):
        return Template(super().from_string(template_code).template, self)


class Template(django_jinja2.Template):
    def render(self, context=None, request=None):
        html = super().render(context, request)
        # Received by the test client only; without receivers send() returns at once.
        if template_rendered.receivers:
            template_rendered.send(sender=self, template=self, context=context or {})
        return html

    @property
    def name(self):
        return self.origin.template_name


def url(viewname, **kwargs):
    """``{{ url("feeds:tag_detail", slug=tag.slug) }}``: Django's ``{% url %}``, reversed once."""
    return cached_reverse(viewname, **kwargs)


def date(value, format=None):
    """Django's ``|date`` filter, in the current time zone as Django's templates print it."""
    return date_filter(template_localtime(value), format)


def querystring(request, **changes):
    """The page's query string with ``changes`` (a value of None removes the parameter), as
    Django's ``{% querystring %}`` makes it: "?..." or "" when nothing is left."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return f"?{params.urlencode()}" if params or request.GET else ""


def environment(**options):
    # Django's engine prints a missing variable (or an attribute of one) as nothing; so does this.
    options["undefined"] = ChainableUndefined
    options["keep_trailing_newline"] = True  # as Django's engine
    env = Environment(**options)
    env.globals.update(
        static=static,
        url=url,
        querystring=querystring,
        reader_sidebar=reader_sidebar,
        note_parts=note_parts,
    )
    env.filters.update(
        date=date,
        linebreaks=linebreaks_filter,
        truncatechars=truncatechars,
    )
    return env
