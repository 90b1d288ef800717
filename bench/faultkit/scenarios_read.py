"""Reader-side scenarios: soak, PostgreSQL restart, worker killed, slow client and big body."""

import os
import signal
import socket
import threading
import time
import uuid

from .context import ADMIN
from .load import Load, summary
from .stack import wait_until
from .web import Browser


def soak(ctx):
    """64 connections over every kind of public page; memory of the workers before and after."""
    targets = ctx.reader_targets()
    # Warm-up: every page a few times on every worker (templates, KaTeX, the segmenter).
    Load(targets, concurrency=4, duration=30, max_requests=4 * len(targets)).start().wait()
    before = ctx.worker_memory()
    duration = ctx.seconds(60, 10)
    records = Load(targets, concurrency=64, duration=duration, max_requests=50_000).start().wait()
    after = ctx.worker_memory()
    total_before = sum(sum(v) for v in before.values())
    total_after = sum(sum(v) for v in after.values())
    figures = {"duration_s": duration, "concurrency": 64, **summary(records)}
    figures["worker_pss_mib_start"] = before
    figures["worker_pss_mib_end"] = after
    figures["memory_growth_pct"] = round(100 * (total_after / total_before - 1), 1)
    ctx.report("soak", figures)


def postgres_restart(ctx):
    """PostgreSQL stopped for 5 s under load: 503s, never 500s; recovery once it is back."""
    workers_before = ctx.worker_pids()
    down_for = 5.0
    load = Load(ctx.reader_targets(), concurrency=12, duration=down_for + 12).start()
    # Pages the page cache cannot have: searches nobody made before, each needs the database.
    fresh = [(ctx.ports[i % 2], f"/search/?q=故障{uuid.uuid4().hex[:6]}", {}) for i in range(5000)]
    uncached = Load(fresh, concurrency=4, duration=down_for + 12).start()
    time.sleep(3)
    stop_started = time.monotonic()
    ctx.stack.postgres.stop()
    down = time.monotonic()
    time.sleep(down_for)
    ctx.stack.postgres.start()
    up = time.monotonic()
    records = load.wait()
    fresh_records = uncached.wait()
    fresh_during = [r for r in fresh_records if r.start >= down and r.end <= up]
    records += fresh_records
    during = [r for r in records if r.start >= down and r.end <= up]
    failures_after_up = [r for r in records if not r.ok and r.end > up]
    five_hundreds = [r for r in records if r.status == 500]
    unavailable = [r for r in records if r.status == 503]
    figures = {
        "stop_took_s": round(down - stop_started, 2),
        "down_s": round(up - down, 2),
        "during_outage": summary(during)["by_status"],
        "uncached_pages_during_outage": summary(fresh_during)["by_status"],
        "whole_run": summary(records),
        "http_500": len(five_hundreds),
        "http_503_with_retry_after": sum(r.retry_after is not None for r in unavailable),
        "http_503_total": len(unavailable),
        "slowest_ms_during_outage": round(max((r.seconds for r in during), default=0) * 1000),
        "recovered_after_s": round(max((r.end for r in failures_after_up), default=up) - up, 2),
        "workers_unchanged": workers_before == ctx.worker_pids(),
    }
    ctx.report("postgres_restart", figures)


def worker_killed(ctx):
    """SIGKILL to one worker mid-load: gunicorn replaces it; only its request in flight fails."""
    server = ctx.stack.servers[0]
    load = Load(ctx.reader_targets(), concurrency=16, duration=ctx.seconds(10, 6)).start()
    time.sleep(2)
    victim = server.workers()[0]
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    replaced = wait_until(
        lambda: victim not in server.workers() and len(server.workers()) >= 2, 10, 0.01
    )
    replaced_after = time.monotonic() - killed
    records = load.wait()
    failed = [r for r in records if not r.ok]
    figures = {
        **summary(records),
        "replaced": replaced,
        "replaced_after_s": round(replaced_after, 2),
        "failed_requests": [f"{r.port}{r.path} {r.status or r.error}" for r in failed][:10],
    }
    ctx.report("worker_killed", figures)


def _slow_client(port, hold_for, drip_every=1.0):
    """Open a connection and send a request line one byte a second (slowloris)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=hold_for + 60)
    line = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Slow: "
    sock.sendall(line)
    held = {"closed_by_server_after_s": None}
    started = time.monotonic()

    def drip():
        while time.monotonic() - started < hold_for:
            try:
                sock.sendall(b"a")
            except OSError:
                held["closed_by_server_after_s"] = round(time.monotonic() - started, 1)
                return
            time.sleep(drip_every)
        sock.close()

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    return thread, held


def _post_big(port, path, content_type, size, browser):
    """POST ``size`` bytes in 64 KB pieces until the server answers: status, ms, MB sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {size}\r\n"
            f"Cookie: {cookies}\r\nX-CSRFToken: {browser.cookies.get('csrftoken', '')}\r\n"
            "Origin: https://127.0.0.1\r\nReferer: https://127.0.0.1/\r\n\r\n")  # fmt: skip
    started, sent = time.monotonic(), 0
    sock.sendall(head.encode())
    sock.setblocking(False)
    answer = b""
    try:
        while sent < size and not answer:
            try:
                answer = sock.recv(200)
                break
            except BlockingIOError:
                pass
            try:
                sent += sock.send(b"x" * min(65536, size - sent))
            except BlockingIOError:
                time.sleep(0.001)
        sock.settimeout(30)
        answer = answer or sock.recv(200)
    except OSError as error:
        answer = answer or type(error).__name__.encode()
    finally:
        sock.close()
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    return {"answer": status, "ms": round((time.monotonic() - started) * 1000),
            "mb_sent": round(sent / 2**20, 2)}  # fmt: skip


def slow_client(ctx):
    """A body over the limit is refused early; a slowloris ties a sync worker until timeout."""
    port = ctx.stack.servers[0].port
    figures = {}
    # 1. A 5 MB form body (DATA_UPLOAD_MAX_MEMORY_SIZE is 2.5 MB) to the admin login, with the
    # CSRF cookie, so that the body is what gets it refused.
    visitor = Browser(port)
    visitor.get("/admin/login/")
    figures["form_body_5mb"] = _post_big(
        port, "/admin/login/", "application/x-www-form-urlencoded", 5 * 1024 * 1024, visitor
    )
    # 2. An author's upload announcing 50 MB (the cap is 10 MB): refused from the header.
    author = Browser(port)
    author.login(*ADMIN)
    author.get("/admin/")
    figures["upload_50mb"] = _post_big(
        port, "/markdownx/upload/", "multipart/form-data; boundary=b", 50 * 1024 * 1024, author
    )
    # 3. Slowloris: one worker of two held; the other keeps serving.
    hold = ctx.seconds(45, 4)
    thread, held = _slow_client(port, hold)
    time.sleep(0.5)
    records = Load([(port, "/", {})], concurrency=2, duration=min(hold - 1, 10)).start().wait()
    figures["served_while_one_worker_held"] = summary(records)
    thread.join(hold + 5)
    figures["slowloris_held_worker_s"] = held["closed_by_server_after_s"] or f">{hold}"
    figures["note"] = "slow clients are the buffering proxy's job (README, Production)"
    ctx.report("slow_client", figures)
