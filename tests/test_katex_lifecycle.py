"""KaTeX's V8 (mini-racer) never hangs a process at exit, and never crosses a fork.

Left to mini-racer's destructor at interpreter shutdown, freeing the context waits for a thread
that can no longer take the GIL: on a busy machine most such processes never exited (20 of 30
in docs/katex-lifecycle.md). The renderer closes it at exit and before a fork; these tests start
real processes, each under a timeout, so a regression fails instead of hanging the run.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "notes_site.settings.test",
    "SEARCH_WARM_UP": "false",
    "PYTHONPATH": str(ROOT),
}
SETUP = "import django; django.setup(); from articles import rendering\n"
RENDER = (
    "r = rendering.render_article('## 概述\\n\\n\\\\(\\\\nabla_\\\\theta J\\\\) 与 "
    "$$\\\\frac{QK^T}{\\\\sqrt{d_k}}$$')\n"
    "assert 'katex' in r.body_html\n"
)


def run_python(code, timeout=60):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def cpu_load(seconds=300):
    """Busy loops on every core, stopped on the way out (and bounded by ``seconds``)."""
    burn = f"import time\nend = time.time() + {seconds}\nwhile time.time() < end: pass\n"
    burners = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def test_rendering_processes_exit_under_cpu_load():
    runs, slowest = 10, 0.0
    with cpu_load():
        for _ in range(runs):
            start = time.monotonic()
            try:
                result = run_python(SETUP + RENDER + "print('rendered')\n", timeout=90)
            except subprocess.TimeoutExpired:
                pytest.fail("a process that rendered with KaTeX did not exit within 90 s")
            slowest = max(slowest, time.monotonic() - start)
            assert result.returncode == 0, result.stderr[-2000:]
            assert result.stdout.strip() == "rendered"
    print(f"{runs} rendering processes exited under load, slowest {slowest:.1f} s")


def test_fork_closes_the_context_and_the_child_starts_its_own():
    code = (
        SETUP
        + RENDER
        + "import os, sys\n"
        + "from articles.rendering.typesetting import katex\n"
        + "assert katex._ctx is not None\n"
        + "pid = os.fork()\n"
        + "if pid == 0:\n"
        + "    assert katex._ctx is None, 'the child inherited the V8 context'\n"
        + RENDER.replace("r = ", "    r = ").replace("assert ", "    assert ")
        + "    assert katex._pid == os.getpid()\n"
        + "    sys.exit(0)\n"
        + "_, status = os.waitpid(pid, 0)\n"
        + "assert os.waitstatus_to_exitcode(status) == 0, status\n"
        + RENDER
        + "print('parent and child rendered')\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "parent and child rendered" in result.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def maps_mini_racer(pid):
    return "libmini_racer" in Path(f"/proc/{pid}/maps").read_text()


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.read().decode()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/PID/maps")
def test_gunicorn_workers_start_their_own_v8_and_stop_gracefully(tmp_path):
    port = free_port()
    env = {
        **ENV,
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    for command in (["migrate", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=120
        )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    master = subprocess.Popen(
        [str(gunicorn), "--config", "gunicorn.conf.py", "notes_site.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, "/healthz/live")
                break
            except OSError:
                assert master.poll() is None, master.stderr.read()[-2000:]
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        while len(workers := children(master.pid)) < 2:
            assert time.monotonic() < deadline, f"gunicorn started {len(workers)} of 2 workers"
            time.sleep(0.3)
        # The app is loaded in the master (preload_app), KaTeX's engine is not.
        assert not maps_mini_racer(master.pid)
        assert not any(maps_mini_racer(pid) for pid in workers)
        # Search snippets typeset their formulas per request: the workers start V8 themselves.
        for query in ("梯度", "策略", "注意力", "KL", "采样", "奖励", "损失", "模型"):
            get(port, "/search/?q=" + urllib.parse.quote(query))
        assert any(maps_mini_racer(pid) for pid in workers)
        assert not maps_mini_racer(master.pid)
    finally:
        master.terminate()
        stopping = time.monotonic()
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()
            pytest.fail("gunicorn did not stop within 30 s of SIGTERM")
    # Workers that rendered leave through atexit's close, well inside graceful_timeout (20 s).
    assert time.monotonic() - stopping < 15
    assert master.returncode == 0, master.stderr.read()[-2000:]
