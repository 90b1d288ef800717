"""The project's translation catalog (locale/): what makemessages and compilemessages skip.

Our strings are English msgids; locale/zh_Hans/LC_MESSAGES/django.po translates them into
Simplified Chinese (the default LANGUAGE_CODE). The .po is committed, the .mo is compiled by
bin/setup and the Dockerfile.
"""

# Folders that hold no strings of ours (dependencies, tests, build output, data). makemessages
# already skips hidden ones (.venv, .git); compilemessages does not, so both get the list.
IGNORED = [
    ".*",
    "node_modules",
    "tests",
    "bench",
    "static",
    "staticfiles",
    "media",
    "backups",
    "test-artifacts",
    "docs",
]
