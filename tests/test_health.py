from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse


@pytest.mark.django_db
def test_readiness_ok_when_database_answers(client):
    response = client.get(reverse("health_ready"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_readiness_503_when_database_unreachable(client):
    with mock.patch("notes_site.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get(reverse("health_ready"))
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_liveness_does_not_touch_database(client):
    with mock.patch("notes_site.health.connection.cursor", side_effect=AssertionError("DB used")):
        response = client.get(reverse("health_live"))
    assert response.status_code == 200
