"""The admin login lockout (django-axes), also behind a proxy."""

import runpy
import subprocess
import sys
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notes_site.settings import base as base_settings
from tests.factories import StaffFactory
from tests.test_production import ROOT, _production_env

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


# --- Admin login lockout (django-axes) ---


def test_admin_path_comes_from_admin_url():
    script = "from django.urls import reverse; print(reverse('admin:login'))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=_production_env(ADMIN_URL="backstage-7f3a/"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("/backstage-7f3a/login/")


def _login(client, username, password, ip="203.0.113.5"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def _logged_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def author():
    return StaffFactory(username="author")


def test_five_failures_lock_the_username_and_ip_with_a_429_page(client, author):
    for _ in range(4):
        assert _login(client, "author", "wrong").status_code == 200
    locked = _login(client, "author", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "TOO MANY ATTEMPTS" in page
    assert "30 分钟" in page
    # The right password does not help while locked.
    assert _login(client, "author", PASSWORD).status_code == 429
    assert not _logged_in(client)


def test_lock_is_per_username_and_ip(client, author):
    StaffFactory(username="colleague")
    for _ in range(5):
        _login(client, "author", "wrong")
    assert _login(client, "colleague", PASSWORD).status_code == 302
    other = Client()
    assert _login(other, "author", PASSWORD, ip="198.51.100.7").status_code == 302
    assert _logged_in(other)


def test_success_resets_the_count(client, author):
    for _ in range(4):
        _login(client, "author", "wrong")
    assert _login(client, "author", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "author", "wrong").status_code == 200
    assert _login(client, "author", PASSWORD).status_code == 302


def test_lock_lasts_thirty_minutes(client, author):
    for _ in range(5):
        _login(client, "author", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert _login(client, "author", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert _login(client, "author", PASSWORD).status_code == 302


@pytest.fixture
def behind_one_proxy(settings, monkeypatch):
    """The axes settings that base.py derives from AXES_PROXY_COUNT=1."""
    monkeypatch.setenv("AXES_PROXY_COUNT", "1")
    base = runpy.run_path(base_settings.__file__)
    for name, value in base.items():
        if name.startswith("AXES_IPWARE_"):
            setattr(settings, name, value)


def _login_via_proxy(client, password, forwarded_for):
    return client.post(
        reverse("admin:login"),
        {"username": "author", "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_clients_are_told_apart_by_x_forwarded_for(behind_one_proxy, author):
    for _ in range(5):
        locked = _login_via_proxy(Client(), "wrong", "198.51.100.1")
    assert locked.status_code == 429
    assert _login_via_proxy(Client(), PASSWORD, "198.51.100.2").status_code == 302


def test_behind_a_proxy_a_forged_x_forwarded_for_locks_no_one_else(behind_one_proxy, author):
    # The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended the real address.
    for _ in range(5):
        _login_via_proxy(Client(), "wrong", "198.51.100.1, 203.0.113.66")
    assert _login_via_proxy(Client(), PASSWORD, "198.51.100.1").status_code == 302


def _counting_hasher():
    hasher = type(get_hasher())
    verify = mock.patch.object(hasher, "verify", autospec=True, side_effect=hasher.verify)
    encode = mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode)
    return verify, encode


def test_locked_attempts_never_run_the_password_hasher(client, author):
    verify, encode = _counting_hasher()
    with verify as verify_calls, encode as encode_calls:
        _login(client, "author", "wrong")
        _login(client, "nobody", "wrong")
        # Unlocked attempts do hash: for a known user (verify) and an unknown one (encode).
        assert verify_calls.call_count == 1
        assert encode_calls.call_count >= 1
    for _ in range(4):
        _login(client, "author", "wrong")
    with verify as verify_calls, encode as encode_calls:
        assert _login(client, "author", PASSWORD).status_code == 429
        assert _login(client, "author", "wrong").status_code == 429
        assert verify_calls.call_count == 0
        assert encode_calls.call_count == 0
