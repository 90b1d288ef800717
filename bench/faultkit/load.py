"""A bounded load generator: threads, one http.client connection per request, 127.0.0.1 only.

Every request is recorded (start, end, status or error, server, path), so a scenario can count
what happened in any time window. It stops at its deadline or after ``max_requests``, whichever
comes first, and each request has a timeout.
"""

import http.client
import itertools
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "User-Agent": "notes-faults"}


@dataclass
class Record:
    start: float
    end: float
    port: int
    path: str
    status: int  # 0 when no HTTP answer came
    error: str = ""
    retry_after: str | None = None

    @property
    def ok(self):
        return 200 <= self.status < 400

    @property
    def seconds(self):
        return self.end - self.start


def request(port, path, method="GET", headers=None, body=None, timeout=10.0):
    """One request on a fresh connection: (status, headers dict, body bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    path = urllib.parse.quote(path, safe="/?=&%:+")
    try:
        connection.request(method, path, body=body, headers={**HEADERS, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        headers["_set_cookie"] = response.headers.get_all("Set-Cookie") or []
        return response.status, headers, data
    finally:
        connection.close()


@dataclass
class Load:
    """``concurrency`` threads cycling through ``targets`` [(port, path, headers)]."""

    targets: list
    concurrency: int
    duration: float
    max_requests: int = 100_000
    timeout: float = 10.0
    records: list = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._cycle = itertools.cycle(self.targets)
        self._threads = []

    def _next(self):
        with self._lock:
            if len(self.records) + self._in_flight >= self.max_requests:
                return None
            self._in_flight += 1
            return next(self._cycle)

    def _worker(self, deadline):
        while not self._stop.is_set() and time.monotonic() < deadline:
            target = self._next()
            if target is None:
                return
            port, path, headers = target
            start = time.monotonic()
            status, error, retry_after = 0, "", None
            try:
                status, answer_headers, _ = request(port, path, headers=headers,
                                                    timeout=self.timeout)  # fmt: skip
                retry_after = answer_headers.get("retry-after")
            except TimeoutError:
                error = "timeout"
            except OSError as exc:
                error = type(exc).__name__
            except http.client.HTTPException as exc:
                error = type(exc).__name__
            record = Record(start, time.monotonic(), port, path, status, error, retry_after)
            with self._lock:
                self._in_flight -= 1
                self.records.append(record)

    def start(self):
        self._in_flight = 0
        deadline = time.monotonic() + self.duration
        self._threads = [
            threading.Thread(target=self._worker, args=(deadline,), daemon=True)
            for _ in range(self.concurrency)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def wait(self):
        for thread in self._threads:
            thread.join(self.duration + self.timeout + 5)
        return self.records

    def stop(self):
        self._stop.set()
        return self.wait()


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(records):
    """Counts by outcome plus latency percentiles (ms) of the answered requests."""
    answered = [r for r in records if r.status]
    by_status = {}
    for record in records:
        key = str(record.status) if record.status else record.error
        by_status[key] = by_status.get(key, 0) + 1
    seconds = [r.seconds for r in answered]
    span = (max(r.end for r in records) - min(r.start for r in records)) if records else 0
    return {
        "requests": len(records),
        "failed": sum(not r.ok for r in records),
        "by_status": dict(sorted(by_status.items())),
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 1),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 1),
        "max_ms": round(max(seconds, default=0) * 1000, 1),
        "rps": round(len(records) / span, 1) if span else 0.0,
    }
