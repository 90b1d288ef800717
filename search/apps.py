from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from django.conf import settings

        from search import indexing, segmenter

        indexing.connect_signals()
        if settings.SEARCH_WARM_UP:
            segmenter.warm_up()
