from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from django.conf import settings

        from search import indexing, segmenter

        indexing.connect_signals()
        if settings.SEARCH_WARM_UP:
            segmenter.warm_up()
