from django.dispatch import Signal

# Sent (sender=Article) after notes were rewritten without save(), e.g. by rerender_articles'
# update(): post_save does not fire, so whatever keeps copies of rendered notes listens here.
articles_rewritten = Signal()
