"""The private stack of a fault run: PostgreSQL, Redis and gunicorn servers it starts and stops.

Everything lives in one temporary folder and on its own ports; the machine's own PostgreSQL
(5432) and Redis (6379) are never touched. ``Stack.close()`` stops whatever was started.
"""

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
IS_ROOT = os.geteuid() == 0


def wait_until(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def answers(url, timeout=1.0):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


class Postgres:
    """initdb into a folder, then start/stop with pg_ctl (as the postgres user when root)."""

    def __init__(self, folder, port):
        self.folder, self.port = Path(folder), port
        self.data = self.folder / "pgdata"
        self.url = f"postgres://postgres@127.0.0.1:{port}"

    def _run(self, *command, check=True):
        prefix = ["runuser", "-u", "postgres", "--"] if IS_ROOT else []
        return subprocess.run(
            [*prefix, *map(str, command)], check=check, capture_output=True, text=True
        )

    def init(self):
        self.data.mkdir(parents=True)
        if IS_ROOT:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            os.chown(self.data, user.pw_uid, user.pw_gid)
        self._run(
            PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    def start(self):
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.data / "log",
                  "-w", "start")  # fmt: skip

    def stop(self):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)

    def psql(self, sql, database="postgres"):
        return subprocess.run(
            ["psql", "-qAt", f"{self.url}/{database}", "-c", sql],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip


class Redis:
    def __init__(self, folder, port):
        self.folder, self.port, self.process = Path(folder), port, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        if not wait_until(lambda: self.command("PING") == "PONG", 10):
            raise RuntimeError("redis-server did not start")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def command(self, *args):
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True
        )
        return result.stdout.strip()


class Gunicorn:
    """One gunicorn master (gunicorn.conf.py, production settings) on 127.0.0.1:port."""

    def __init__(self, venv, env, port, log):
        self.venv, self.env, self.port, self.log = venv, env, port, log
        self.process = None
        self.base = f"http://127.0.0.1:{port}"

    def start(self):
        env = {**self.env, "WEB_BIND": f"127.0.0.1:{self.port}"}
        command = [str(self.venv / "bin" / "gunicorn"), "--config", "gunicorn.conf.py"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [*command, "notes_site.wsgi"], cwd=REPO, env=env, stdout=log, stderr=log
            )
        if not wait_until(lambda: answers(self.base + "/healthz/live"), 60, 0.2):
            raise RuntimeError(f"gunicorn on {self.port} did not answer (log: {self.log})")
        wait_until(lambda: len(self.workers()) >= int(env.get("WEB_CONCURRENCY", 1)), 30)

    def workers(self):
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def memory_kib(pid, field="Pss"):
    """A process's proportional (default) or resident set size in KiB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Stack:
    """The folder, PostgreSQL, Redis, the Django environment and two gunicorn servers."""

    def __init__(self, venv, pg_port=5439, redis_port=6391, web_ports=(8801, 8802), workers=2):
        self.venv = Path(venv)
        self.folder = Path(tempfile.mkdtemp(prefix="notes-faults-"))
        self.folder.chmod(0o755)  # the postgres user must reach its data folder inside
        self.postgres = Postgres(self.folder / "pg", pg_port)
        self.redis = Redis(self.folder, redis_port)
        self.media = self.folder / "media"
        self.media.mkdir()
        self.media_mounted = False
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "notes_site.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"{self.postgres.url}/notes",
            "CACHE_URL": self.redis.url,
            "BEHIND_TLS_PROXY": "true",
            "STATIC_ROOT": str(self.folder / "static"),
            "MEDIA_ROOT": str(self.media),
            "WEB_CONCURRENCY": str(workers),
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "WARNING",
            "PGOPTIONS": "--client-min-messages=warning",
        }
        self.servers = [
            Gunicorn(self.venv, self.env, port, self.folder / f"gunicorn-{port}.log")
            for port in web_ports
        ]

    def manage(self, *args, stdin=None):
        return subprocess.run(
            [str(self.venv / "bin" / "python"), "manage.py", *args],
            cwd=REPO, env=self.env, check=True, capture_output=True, text=True, input=stdin,
            timeout=600,
        ).stdout  # fmt: skip

    def django_task(self, *args):
        """Run bench/faultkit/tasks.py (seeding, integrity checks): its result, the last line."""
        script = Path(__file__).with_name("tasks.py")
        output = subprocess.run(
            [str(self.venv / "bin" / "python"), str(script), *args],
            cwd=REPO, env=self.env, check=True, capture_output=True, text=True, timeout=600,
        ).stdout  # fmt: skip
        return output.strip().splitlines()[-1] if output.strip() else ""

    def mount_small_media(self, size="1m"):
        """Media on a tiny tmpfs (root only); returns how the full disk is produced."""
        if not IS_ROOT:
            return None
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(self.media)],
            capture_output=True, text=True,
        )  # fmt: skip
        self.media_mounted = result.returncode == 0
        return f"tmpfs of {size} mounted on MEDIA_ROOT" if self.media_mounted else None

    def unmount_media(self):
        if self.media_mounted:
            subprocess.run(["umount", str(self.media)], check=False)
            self.media_mounted = False

    def close(self):
        for server in self.servers:
            server.stop()
        self.redis.kill()
        if self.postgres.data.exists():
            self.postgres.stop()
        self.unmount_media()
        shutil.rmtree(self.folder, ignore_errors=True)


def log(message):
    print(message, flush=True, file=sys.stdout)
