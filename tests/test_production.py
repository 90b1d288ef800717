import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "notes_site.settings.production",
    "SECRET_KEY": "x" * 64 + "-production-test-key-with-enough-entropy",
    "ALLOWED_HOSTS": "notes.example.com",
    "DATABASE_URL": "sqlite:////tmp/prod-check.sqlite3",
}


def _production_env(**overrides):
    # Start from the caller's environment minus Django switches that tests elsewhere set
    # (the browser tests allow async-unsafe ORM calls, which check --deploy rightly rejects).
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return {**env, **PROD_ENV, **overrides}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean():
    env = _production_env()
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_refuses_to_start_without_required_settings():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_postgresql_connections_use_ssd_planner_costs():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
