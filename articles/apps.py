from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Notes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        from articles.search import indexing, segmenter

        indexing.connect_signals()
        if settings.SEARCH_WARM_UP:
            segmenter.warm_up()
