"""Layout rules of the code base, checked on every run (import-linter contracts: pyproject)."""

import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MAX_MODULE_LINES = 400
# Top-level folders whose files the code and docs refer to by path.
REFERRED_ROOTS = [
    path.name
    for path in ROOT.iterdir()
    if path.is_dir() and not path.name.startswith(".") and path.name not in {"node_modules"}
]
# A path such as ``feeds/stream.py`` or ``docs/``, not part of a URL (``/feeds/rss/``), a dotted
# name or a pattern (``feeds/<slug>/``, ``tests/test_search*.py``).
_ROOTS = "|".join(map(re.escape, REFERRED_ROOTS))
REFERENCE = re.compile(rf"(?<![\w/.<:@}}-])((?:{_ROOTS})/[\w./-]*[\w/])(?![\w/<{{*-])")
# Template and static names are written relative to these folders.
RELATIVE_TO = [ROOT, ROOT / "templates", ROOT / "templates" / "jinja2", ROOT / "static"]
# Build output (gitignored, made by bin/setup): named in docs before it exists.
BUILT = ("frontend/dist",)


def tracked_files():
    listing = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [ROOT / name for name in listing.stdout.split()]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_is_over_the_size_limit():
    long_modules = {
        str(path.relative_to(ROOT)): lines
        for path in tracked_files()
        if path.suffix == ".py"
        and "migrations" not in path.parts
        and path.parts[len(ROOT.parts)] != "tests"
        and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long_modules == {}


def test_every_file_reference_resolves_inside_the_repository():
    unresolved = set()
    for path in tracked_files():
        if path.suffix not in {".py", ".md", ".toml", ".yml", ".html", ".txt", ".sh", ""}:
            continue
        if "migrations" in path.parts or "data" in path.parts or not path.is_file():
            continue
        for match in REFERENCE.finditer(path.read_text(errors="replace")):
            target = match.group(1).rstrip(".")
            if target.startswith(BUILT):
                continue
            if not any((base / target).exists() for base in RELATIVE_TO):
                unresolved.add(f"{path.relative_to(ROOT)}: {target}")
    assert sorted(unresolved) == []


def test_no_reference_to_documents_outside_the_repository():
    cited = {
        str(path.relative_to(ROOT))
        for path in tracked_files()
        if path.is_file()
        and path.name != "test_layout.py"
        and re.search(r"\bSTACK\.md\b|\.\./shared\b", path.read_text(errors="replace"))
    }
    assert cited == set()
