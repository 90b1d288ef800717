"""The public side of preview links: a draft read by anyone holding a valid link."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_cache_control

from articles.views import ArticleDetailView
from review import links


class PreviewLinkView(ArticleDetailView):
    """The note page itself (template, context, renders), found by the link's token.

    Any bad token is the site's 404: nothing tells an expired or revoked link from one that
    never existed. The page is a preview (banner, ``noindex``), never stored: not by the page
    cache (the ``review`` namespace is not a public one, and it is ``no-store``), not by a
    CDN or browser (``private, no-store``). The token is not sent on as a referrer.
    """

    def get(self, request, *args, **kwargs):
        link = links.resolve(kwargs["token"])
        if link is None:
            raise Http404
        self.object = get_object_or_404(self.get_queryset(), pk=link.article_id)
        if self.object.is_published():  # it went out: the link leads to the public page
            return redirect(self.object)
        context = self.get_context_data(object=self.object)
        context["is_preview"] = True
        return self.render_to_response(context)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "no-referrer"
        return response
