"""A note published while it waited for review (not by an approval) leaves the waiting list."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.models import Article
from review import services


@receiver(post_save, sender=Article, dispatch_uid="review.close_published")
def close_published(sender, instance, raw=False, **kwargs):
    if raw or instance.status != Article.Status.PUBLISHED:
        return
    services.close_published(instance)
