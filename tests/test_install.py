"""The Python locks in requirements/: complete, consistent, current, and used by every install."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def locked(name):
    """The lock's requirements, each with its hashes (backslash-continued lines joined)."""
    text = (ROOT / "requirements" / name).read_text().replace("\\\n", " ")
    entries = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            spec, *hashes = line.split(" --hash=")
            entries.append((Requirement(spec), hashes))
    return entries


def environment(python):
    """Marker environment of CPython `python` on Linux."""
    env = default_environment()
    env.update(
        python_version=".".join(python.split(".")[:2]),
        python_full_version=python,
        implementation_name="cpython",
        platform_python_implementation="CPython",
        sys_platform="linux",
        platform_system="Linux",
    )
    return env


def pins_for(name, python):
    """{package: version} that pip installs from the lock on `python`."""
    env = environment(python)
    pins = {}
    for requirement, _ in locked(name):
        if requirement.marker is None or requirement.marker.evaluate(env):
            package = canonicalize_name(requirement.name)
            assert package not in pins, f"{package} pinned twice for Python {python}"
            pins[package] = str(requirement.specifier).removeprefix("==")
    return pins


@pytest.mark.parametrize("name", ["base.txt", "dev.txt", "tools.txt"])
def test_every_entry_is_an_exact_pin_with_hashes(name):
    for requirement, hashes in locked(name):
        assert re.fullmatch(r"==[^,*]+", str(requirement.specifier)), requirement
        assert hashes and all(h.startswith("sha256:") for h in hashes), requirement.name


@pytest.mark.parametrize(
    ("python", "django_major"), [("3.11.7", "5.2."), ("3.12.1", "6."), ("3.13.0", "6.")]
)
def test_one_lock_gives_each_python_its_django(python, django_major):
    for name in ("base.txt", "dev.txt"):
        assert pins_for(name, python)["django"].startswith(django_major)


@pytest.mark.parametrize("python", ["3.11.7", "3.12.1", "3.13.0"])
def test_production_gets_the_tested_versions(python):
    base, dev = pins_for("base.txt", python), pins_for("dev.txt", python)
    assert {package: dev.get(package) for package in base} == base


def test_every_declared_dependency_is_locked():
    declared = {
        "base.txt": PYPROJECT["dependencies"],
        "dev.txt": PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"],
    }
    for name, requirements in declared.items():
        pins = pins_for(name, "3.11.7")
        for line in requirements:
            requirement = Requirement(line)
            package = canonicalize_name(requirement.name)
            assert package in pins, f"{package} is missing from requirements/{name}"
            assert requirement.specifier.contains(pins[package]), (name, line, pins[package])


def test_psycopg_pool_is_locked_only_with_a_pool_configured():
    settings_text = "".join(p.read_text() for p in (ROOT / "notes_site" / "settings").glob("*.py"))
    pool_configured = bool(re.search(r"""["']pool["']\s*:""", settings_text))
    assert ("psycopg-pool" in pins_for("base.txt", "3.12.1")) == pool_configured


def test_locks_were_written_from_the_current_pyproject():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "upgrade"), "--check-inputs"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + "(run bin/upgrade)"


def test_every_install_path_uses_a_lock_with_hashes():
    setup = (ROOT / "bin" / "setup").read_text()
    assert "lock=requirements/dev.txt" in setup
    assert 'pip install --quiet --require-hashes -r "$lock"' in setup
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes --no-deps -r requirements/base.txt" in dockerfile
    for text in (setup, dockerfile):
        assert not re.search(r"pip install[^\n]*(?<![\w/-])(\.\[|-e |\.(\s|$))", text)
    assert "bin/upgrade --check" in (ROOT / ".ci" / "run").read_text()
