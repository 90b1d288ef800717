"""Gunicorn configuration shared by the container (bin/entrypoint), bin/smoke and the benchmark.

Worker class: sync, 2 x cores + 1 processes, chosen by bench/gunicorn_bench.sh (production
settings, PostgreSQL, the demo notes, wrk -t2 -c16 -d15s on loopback, 2 cores shared with other
jobs, three interleaved rounds; bench/README.md has the table). Mean over home, a note and RSS:

    setup                  req/s   p99 ms   CPU ms/req
    sync     5 x 1 thread    101      245         11.3
    gthread  3 x 4 threads   105      414          9.8
    gthread  5 x 2 threads    96      526         10.2

Throughput is equal within the noise; the pages are CPU-bound Python, so threads only queue
on the GIL, and sync has a ~40 % lower p99. gthread's lower CPU per request is keep-alive
(equal with Connection: close). Sync workers need a buffering proxy in front (a slow client
would hold a worker): the TLS proxy the production settings expect. WEB_WORKER_CLASS=gthread
with WEB_THREADS switches without a code change.
"""

import multiprocessing
import os


def _int(name, default):
    return int(os.environ.get(name) or default)


cores = multiprocessing.cpu_count()

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
worker_class = os.environ.get("WEB_WORKER_CLASS") or "sync"
workers = _int("WEB_CONCURRENCY", 2 * cores + 1)
threads = _int("WEB_THREADS", 1)

# Load Django once in the master and fork: the Chinese segmenter's dictionary (~1.5 s, see
# SEARCH_WARM_UP) is read once and shared copy-on-write, and a settings error stops the master
# at once with its message instead of a loop of failing workers. KaTeX's V8 starts lazily in
# each worker, never before the fork, and is closed at a worker's exit
# (docs/katex-lifecycle.md; checked by tests/test_katex_lifecycle.py).
preload_app = True

# A worker silent this long is killed and replaced. bench/faults measured the slowest request
# at 1.6 s (64-connection soak on 2 busy cores, p99 0.8 s): 30 s recycles a hung worker and
# never a slow page. A slowloris client holds a sync worker until then (33 s measured): slow
# clients are the buffering proxy's job.
timeout = _int("WEB_TIMEOUT", 30)
# On SIGTERM workers get this long to finish their requests; it must stay below compose's
# stop_grace_period (30 s), after which Docker sends SIGKILL.
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 20)
keepalive = 5
# Heartbeat files on tmpfs: a container's overlay /tmp can stall workers into timeouts.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Both logs on stdout/stderr for the container runtime; the access log carries the duration
# and the request id (notes_site.middleware) to join it with the application's JSON logs.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'

# gunicorn 27 otherwise creates a control socket under ~/.gunicorn/.
control_socket_disable = True
# Addresses allowed to set X-Forwarded-* for gunicorn itself; Django trusts X-Forwarded-Proto
# through SECURE_PROXY_SSL_HEADER (BEHIND_TLS_PROXY), so keep the port private to the proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
