"""The production stack under wrk: each page cold, uncached and cached, and a static file.

Run it through ``bench/http_bench`` (it sets up the virtualenv and wrk). One run: a scratch
PostgreSQL database (``notes_http_bench`` on 127.0.0.1:5432, dropped at the end), a private
redis-server on a spare port (``CACHE_URL``, as in docker-compose), N notes of the demo content
(``seed_notes.py``, search index included), ``collectstatic``, then gunicorn with
``gunicorn.conf.py`` and the production settings, once per mode (``MODES``): *cold*, nothing
cached (``PAGE_CACHE_ENABLED`` and ``FRAGMENT_CACHE_ENABLED`` false: every request computes
everything, the sidebar's counts and related notes included); *uncached*, the page cache off
but the fragment cache on (what a page costs that the page cache does not hold: views and
templates run, the parts kept for the generation are read from Redis); *cached*, both on.
Each URL gets a warm-up, then ``wrk -t2 -c16 -dSECONDS --latency``.
Queries per request are counted in-process with Django's test client on the same database and
Redis; CPU ms per request is gunicorn's own CPU time (master and workers) over the requests it
served, which depends far less than req/s on what else runs on the machine. Prints a
Markdown table with each page's req/s as a fraction of the static file's in the same gunicorn.
Everything it started is stopped however the run ends.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# mode: (PAGE_CACHE_ENABLED, FRAGMENT_CACHE_ENABLED)
MODES = {"cold": (False, False), "uncached": (False, True), "cached": (True, True)}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per URL")
    parser.add_argument("--warm-up", type=int, default=2, help="seconds of wrk before each run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--redis-port", type=int, default=6392)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="notes_http_bench")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    return parser.parse_args()


class Stack:
    """The processes and files of one run, stopped and removed by ``close``."""

    def __init__(self, args):
        self.args = args
        self.processes = []
        self.static_root = tempfile.mkdtemp(prefix="http-bench-static-")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "notes_site.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"{args.pg}/{args.database}",
            "CACHE_URL": f"redis://127.0.0.1:{args.redis_port}/0",
            "BEHIND_TLS_PROXY": "true",
            "WEB_BIND": f"127.0.0.1:{args.port}",
            "WEB_CONCURRENCY": str(args.workers),
            "STATIC_ROOT": self.static_root,
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "WARNING",
            "PGOPTIONS": "--client-min-messages=warning",
        }

    def psql(self, sql):
        subprocess.run(["psql", "-q", f"{self.args.pg}/postgres", "-c", sql], check=True)

    def manage(self, *arguments, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments], cwd=ROOT, env=self.env, check=True, **kwargs
        )

    def start(self, command, env=None):
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env or self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(process)
        return process

    def stop(self, process):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.remove(process)

    def close(self):
        for process in list(self.processes):
            self.stop(process)
        if not self.args.keep_database:
            self.psql(f'DROP DATABASE IF EXISTS "{self.args.database}" WITH (FORCE)')
        shutil.rmtree(self.static_root, ignore_errors=True)


def wait_for(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"http_bench: {process.args[0]} exited")
        try:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"http_bench: no answer from {url}")


def start_redis(stack):
    port = stack.args.redis_port
    process = stack.start(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
    )
    for _ in range(50):
        done = subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True
        )
        if done.stdout.strip() == "PONG":
            return process
        time.sleep(0.1)
    raise SystemExit("http_bench: redis-server did not start")


def in_django(stack, function, *arguments):
    """Run ``function`` of this module in a Django process with the stack's settings."""
    done = subprocess.run(
        [sys.executable, __file__, "--in-django", function, *arguments],
        cwd=ROOT,
        env=stack.env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def urls():
    """The URLs measured: the longest note and a median one, the biggest category, a common tag
    and word."""
    from django.db.models import Count
    from django.db.models.functions import Length
    from django.templatetags.static import static
    from django.urls import reverse
    from taggit.models import Tag

    from articles.models import Article, Category

    published = Article.objects.published()
    by_length = published.order_by(Length("body_html").desc(), "pk")
    note = by_length.first()
    median = by_length[published.count() // 2]
    category = Category.objects.annotate(n=Count("articles")).order_by("-n").first()
    tag = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n").first()
    return {
        "home": "/",
        "note": note.get_absolute_url(),
        "note, median": median.get_absolute_url(),
        "category": category.get_absolute_url(),
        "tag": reverse("feeds:tag_detail", kwargs={"slug": tag.slug}),  # percent-encoded
        "rss": "/feeds/rss/",
        "search": "/search/?q=%E6%B3%A8%E6%84%8F%E5%8A%9B",  # 注意力
        "static": static("css/site.css"),
    }


def query_counts(urls_json):
    """Queries per request in each mode (the request after a first one: kept parts are kept)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
    counts = {}
    for mode, (pages, fragments) in MODES.items():
        settings.PAGE_CACHE_ENABLED, settings.FRAGMENT_CACHE_ENABLED = pages, fragments
        for name, url in json.loads(urls_json).items():
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts[f"{mode} {name}"] = len(queries)
    return counts


def cpu_seconds(pid):
    """User + system CPU time of a process and its children (gunicorn's master and workers)."""
    total = 0
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    for process in [str(pid), *children.split()]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def wrk(args, url, pid):
    """req/s, p50 and p99 (ms), gunicorn's CPU ms per request, errors."""
    command = ["wrk", "-t2", f"-c{args.connections}", "-H", "X-Forwarded-Proto: https"]
    subprocess.run([*command, f"-d{args.warm_up}s", url], check=True, capture_output=True)
    before = cpu_seconds(pid)
    out = subprocess.run(
        [*command, f"-d{args.seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cpu = cpu_seconds(pid) - before
    served = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = milliseconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = milliseconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)", out)
    return rate, p50, p99, cpu * 1000 / max(served, 1), "; ".join(errors)


def milliseconds(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def main():
    args = parse_args()
    stack = Stack(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        run(args, stack)
    finally:
        stack.close()


def run(args, stack):
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    stack.psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    stack.psql(f'CREATE DATABASE "{args.database}"')
    redis = start_redis(stack)
    stack.manage("migrate", "--noinput", "-v0", stdout=subprocess.DEVNULL)
    subprocess.run(
        [sys.executable, "bench/seed_notes.py", str(args.notes)],
        cwd=ROOT,
        env=stack.env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # As autovacuum leaves a live database: without statistics the planner guesses (a tag's
    # page read all its notes and sorted them, 1.9 ms instead of 0.3 at 1,000 notes).
    subprocess.run(
        ["psql", "-q", f"{args.pg}/{args.database}", "-c", "VACUUM ANALYZE"],
        check=True,
        env={**stack.env, "PGOPTIONS": "--client-min-messages=warning"},
    )
    stack.manage("collectstatic", "--noinput", "-v0", stdout=subprocess.DEVNULL)
    targets = in_django(stack, "urls")
    counts = in_django(stack, "query_counts", json.dumps(targets))
    base = f"http://127.0.0.1:{args.port}"
    results = {}
    for mode, (pages, fragments) in MODES.items():
        subprocess.run(["redis-cli", "-p", str(args.redis_port), "flushall"], capture_output=True)
        gunicorn = stack.start(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                "gunicorn.conf.py",
                "--access-logfile",
                "/dev/null",
                "notes_site.wsgi",
            ],
            env={
                **stack.env,
                "PAGE_CACHE_ENABLED": str(pages).lower(),
                "FRAGMENT_CACHE_ENABLED": str(fragments).lower(),
            },
        )
        wait_for(f"{base}/healthz/ready", gunicorn)
        for name, path in targets.items():
            results[mode, name] = wrk(args, base + path, gunicorn.pid)
        stack.stop(gunicorn)
    stack.stop(redis)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print_table(args, targets, results, counts, load_before, load_after)


def print_table(args, targets, results, counts, load_before, load_after):
    print(
        f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, {os.cpu_count()} cores, "
        f"{args.notes:,} notes, gunicorn {args.workers} sync workers, PostgreSQL, Redis; "
        f"wrk -t2 -c{args.connections} -d{args.seconds}s after {args.warm_up} s of warm-up; "
        f"load average {' '.join(load_before)} before, {' '.join(load_after)} after"
    )
    print()
    print(
        "| page | mode | req/s | p50 ms | p99 ms | CPU ms/req | queries/req | × static | errors |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for mode in MODES:
        static_rate = results[mode, "static"][0]
        for name in targets:
            rate, p50, p99, cpu_ms, errors = results[mode, name]
            queries = "-" if name == "static" else counts[f"{mode} {name}"]
            print(
                f"| {name} | {mode} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {cpu_ms:.1f} | "
                f"{queries} | {rate / static_rate:.0%} | {errors or 0} |"
            )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--in-django":
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(json.dumps(globals()[sys.argv[2]](*sys.argv[3:])))
    else:
        main()
