"""bench/faults: start a private stack, run the fault scenarios, print what each measured.

    bench/faults [--short] [--notes N] [--only NAME ...]

The stack (PostgreSQL on 5439, Redis on 6391, two gunicorn servers on 8801 and 8802 with
gunicorn.conf.py and the production settings, 2 workers each) is stopped and removed however
the run ends. Exit status 1 when a target was missed (see ``missed``).
"""

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.faultkit import scenarios_read, scenarios_write  # noqa: E402
from bench.faultkit.context import ADMIN, Context  # noqa: E402
from bench.faultkit.stack import Stack, log  # noqa: E402

SCENARIOS = {
    "several_servers": scenarios_write.several_servers,
    "soak": scenarios_read.soak,
    "worker_killed": scenarios_read.worker_killed,
    "slow_client": scenarios_read.slow_client,
    "writes_under_load": scenarios_write.writes_under_load,
    "redis_gone": scenarios_write.redis_gone,
    "postgres_restart": scenarios_read.postgres_restart,
    "disk_full": scenarios_write.disk_full,
}


def missed(results):
    """The targets of issue 15 that a run did not meet, as messages."""
    checks = {
        "soak": lambda r: r["failed"] == 0 and r["memory_growth_pct"] <= 10,
        "postgres_restart": lambda r: r["http_500"] == 0 and r["recovered_after_s"] <= 2
        and r["workers_unchanged"] and r["http_503_with_retry_after"] == r["http_503_total"] > 0,
        "redis_gone": lambda r: r["reader_5xx_whole_run"] == 0 and r["author_5xx_whole_run"] == 0
        and r["autosave_5xx_whole_run"] == 0 and r["stale_reads_after_return"] == 0
        and _intact(r["integrity"]),
        "writes_under_load": lambda r: _intact(r["integrity"]) and r["readers"]["failed"] == 0
        and set(r["saves"]) <= {"saved", "refused_with_message"},
        "worker_killed": lambda r: r["replaced"] and r["failed"] <= 1,
        "several_servers": lambda r: r["session_valid_on_second"]
        and r["autosave_on_first"] == 200 and r["autosave_offered_on_second"]
        and set(r["locked_out_on"].values()) == {429} and r["stale_reads_after_edit"] == 0,
        "disk_full": lambda r: "skipped" in r or (r["files_on_disk"] == r["complete_files"]
        == r["stored"] and r["notes_unchanged"] and r["other_5xx"] == 0),
        "slow_client": lambda r: " 400 " in r["form_body_5mb"]["answer"] + " "
        and " 413 " in r["upload_50mb"]["answer"] + " ",
    }  # fmt: skip
    return [name for name, ok in checks.items() if name in results and not ok(results[name])]


def _intact(report):
    return not (report["notes_without_search_row"] or report["search_rows_without_note"]
                or report["stale_render"] or report["stale_search_row"]
                or report["without_revision"])  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the short version CI runs")
    parser.add_argument("--notes", type=int, help="notes to load (default 300, short 40)")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, help="run only these")
    parser.add_argument("--venv", default=".venv")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    notes = args.notes or (40 if args.short else 300)

    # SIGTERM/SIGINT: leave through the finally below, stopping everything.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    started = time.monotonic()
    stack = Stack(args.venv)
    try:
        log(f"==> Private stack in {stack.folder}")
        stack.postgres.init()
        stack.postgres.start()
        stack.postgres.psql("CREATE DATABASE notes")
        stack.redis.start()
        stack.manage("migrate", "--noinput", "-v0")
        stack.manage("collectstatic", "--noinput", "-v0")
        seeded = json.loads(stack.django_task("seed", str(notes), *ADMIN))
        log(f"==> {seeded['notes']} notes loaded; gunicorn on "
            + ", ".join(str(s.port) for s in stack.servers))  # fmt: skip
        for server in stack.servers:
            server.start()
        ctx = Context(stack, json.loads(stack.django_task("paths")), args.short)
        for name in args.only or SCENARIOS:
            SCENARIOS[name](ctx)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        log(f"FAIL  {' '.join(map(str, error.cmd))}\n{error.stdout}\n{error.stderr}")
        raise SystemExit(1) from error
    finally:
        for server in stack.servers:
            lines = server.log.read_text(errors="replace").splitlines()
            errors = [n for n, line in enumerate(lines) if line.startswith("Traceback")]
            answered_500 = sum('" 500 ' in line for line in lines)
            log(f"    gunicorn {server.port} log: {answered_500} responses 500, "
                f"{len(errors)} tracebacks" + (", the first ones:" if errors else ""))  # fmt: skip
            if errors:
                for n in errors[:3]:
                    log("      " + "\n      ".join(lines[max(0, n - 2) : n + 14]))
        stack.close()
    failures = missed(ctx.results)
    if args.json:
        Path(args.json).write_text(json.dumps(ctx.results, ensure_ascii=False, indent=2))
    log(
        f"==> {len(ctx.results)} scenarios in {time.monotonic() - started:.0f} s; "
        + (f"targets missed: {', '.join(failures)}" if failures else "every target met")
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
