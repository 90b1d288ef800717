"""Factories for series (tests/test_series.py, tests/browser/test_series.py)."""

import factory

from series.models import Series, SeriesPart


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    title = factory.Sequence(lambda n: f"强化学习基础 {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")
    description = "从马尔可夫决策过程到策略梯度。"


class SeriesPartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeriesPart

    series = factory.SubFactory(SeriesFactory)
    position = factory.Sequence(int)
