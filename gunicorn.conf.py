"""Gunicorn configuration shared by docker-compose and bin/smoke.

Worker class: sync by default. The wrk comparison of sync vs gthread on this 2-core machine
was not completed before the deadline; WEB_WORKER_CLASS=gthread (with WEB_THREADS)
switches without a code change.
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("WEB_WORKER_CLASS", "sync")
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# Shorter than docker-compose's stop_grace_period (30s) so in-flight requests finish before SIGKILL.
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
accesslog = "-"
errorlog = "-"
# gunicorn 27 otherwise creates a control socket under ~/.gunicorn/ (see STACK.md).
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
