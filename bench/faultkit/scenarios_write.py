"""Author-side scenarios: several servers, writes under load, Redis gone, disk full for media."""

import io
import json
import os
import re
import threading
import time
import uuid
from pathlib import Path

from PIL import Image

from .context import ADMIN, integrity
from .load import Load, summary
from .stack import wait_until
from .web import Browser, error_text


def retitle(title, marker):
    """The title with `` ⟨marker⟩`` at its end instead of the previous marker."""
    return re.sub(r"( ⟨\w+⟩)?$", f" ⟨{marker}⟩", title, count=1)


class Author(threading.Thread):
    """Logs in, then saves notes in turn (edits and new notes) until stopped or ``saves`` done."""

    def __init__(self, ctx, port, pks, saves, pause=0.1):
        super().__init__(daemon=True)
        self.ctx, self.port, self.pks, self.saves, self.pause = ctx, port, pks, saves, pause
        self.outcomes, self.touched, self.messages, self.autosaves = [], set(), [], []
        self.stopped = threading.Event()

    def run(self):
        browser = Browser(self.port)
        browser.login(*ADMIN)
        for n in range(self.saves):
            if self.stopped.is_set():
                break
            marker = uuid.uuid4().hex[:8]
            pk = None if n % 4 == 3 else self.pks[n % len(self.pks)]

            def change(fields, marker=marker, pk=pk, n=n):
                if pk is None:
                    fields.update(title=f"故障测试新笔记 {marker}", slug=f"faults-{marker}",
                                  status="published", tags="故障测试",
                                  category=self.ctx.paths["category_pk"])  # fmt: skip
                    fields["_continue"] = "1"
                    fields["body"] = f"新笔记 {marker}：$a_{{{n}}} + b$ 与 $$\\sum_i x_i$$\n"
                else:
                    fields["title"] = retitle(fields["title"], marker)
                    fields["body"] = fields.get("body", "") + f"\n\n编辑 {marker}：$y_{{{n}}}$\n"

            started = time.monotonic()
            if pk:
                text = {"title": f"草稿 {marker}", "body": f"自动保存 {marker}", "tags": "",
                        "summary": ""}  # fmt: skip
                try:
                    self.autosaves.append((started, browser.autosave(pk, text)))
                except OSError:
                    self.autosaves.append((started, 0))
            try:
                status, page, location = browser.save_note(pk, change)
            except OSError as error:
                status, page, location = 0, type(error).__name__, ""
            self.outcomes.append((started, status))
            if status == 302:
                found = re.search(r"/article/(\d+)/change/", location)
                self.touched.add(pk or (found and int(found.group(1))) or 0)
            elif status == 200:
                self.messages.append(error_text(page)[:200])
            time.sleep(self.pause)

    def counts(self):
        result = {}
        for _, status in self.outcomes:
            key = {302: "saved", 200: "refused_with_message"}.get(status, f"status_{status}")
            result[key] = result.get(key, 0) + 1
        return result


def _note_pks(ctx, count):
    return ctx.stack.django_task("pks", str(count)).split()


def writes_under_load(ctx):
    """Admin saves on both servers while readers load the site; then no half-stored note."""
    pks = [int(pk) for pk in _note_pks(ctx, 20)]
    saves = ctx.seconds(24, 8)
    authors = [Author(ctx, port, pks[i::2], saves) for i, port in enumerate(ctx.ports)]
    load = Load(ctx.reader_targets(), concurrency=16, duration=120).start()
    for author in authors:
        author.start()
    for author in authors:
        author.join(300)
    records = load.stop()
    touched = set().union(*(a.touched for a in authors))
    outcome = {}
    for author in authors:
        for key, value in author.counts().items():
            outcome[key] = outcome.get(key, 0) + value
    report = integrity(ctx, touched)
    figures = {"saves": outcome, "readers": summary(records), "integrity": report}
    figures["messages"] = sorted({m for a in authors for m in a.messages})[:3]
    ctx.report("writes_under_load", figures)


def redis_gone(ctx):
    """Redis killed under load (readers and authors), back after 5 s with nothing kept."""
    redis = ctx.stack.redis
    pks = [int(pk) for pk in _note_pks(ctx, 10)]
    authors = [Author(ctx, port, pks[i::2], saves=1000, pause=0.2)
               for i, port in enumerate(ctx.ports)]  # fmt: skip
    load = Load(ctx.reader_targets(), concurrency=16, duration=60).start()
    for author in authors:
        author.start()
    time.sleep(3)
    keys_before = int(redis.command("DBSIZE") or 0)
    redis.kill()
    killed = time.monotonic()
    time.sleep(5)
    redis.start()
    back = time.monotonic()
    used_again = wait_until(lambda: int(redis.command("DBSIZE") or 0) > 0, 15, 0.05)
    used_after = time.monotonic() - back
    time.sleep(3)
    for author in authors:
        author.stopped.set()
        author.join(60)
    records = load.stop()
    away = [r for r in records if killed <= r.start <= back]
    saves_away = [s for a in authors for t, s in a.outcomes if killed <= t <= back]
    # Stale pages after the return: a title changed on one server, read at once on both.
    stale = _stale_reads(ctx, pks[0])
    figures = {
        "keys_before_kill": keys_before,
        "readers_while_away": summary(away)["by_status"],
        "reader_5xx_whole_run": sum(r.status >= 500 for r in records),
        "saves_while_away": _counts(saves_away),
        "author_5xx_whole_run": sum(s >= 500 or s == 0 for a in authors for _, s in a.outcomes),
        "autosaves_while_away": _counts(
            s for a in authors for t, s in a.autosaves if killed <= t <= back
        ),  # fmt: skip
        "autosave_5xx_whole_run": sum(s >= 500 or s == 0 for a in authors for _, s in a.autosaves),
        "cache_written_again_after_s": round(used_after, 2) if used_again else "never",
        "stale_reads_after_return": stale,
        "integrity": integrity(ctx, set().union(*(a.touched for a in authors))),
    }
    ctx.report("redis_gone", figures)


def _counts(statuses):
    statuses = list(statuses)
    return {str(s): statuses.count(s) for s in sorted(set(statuses))}


def _stale_reads(ctx, pk):
    """Change a title on the first server, read the note on every server: count old titles."""
    browser = Browser(ctx.ports[0])
    browser.login(*ADMIN)
    stale = 0
    url = json.loads(ctx.stack.django_task("url", str(pk)))
    for port in ctx.ports:
        marker = uuid.uuid4().hex[:8]

        def change(fields, marker=marker):
            fields["title"] = retitle(fields["title"], marker)

        browser.save_note(pk, change, port=port)
        for reader in ctx.ports:
            _, _, page = Browser(reader).get(url)
            stale += marker not in page
    return stale


def _noise_png(side):
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def disk_full(ctx):
    """Uploads into a 1 MB media filesystem: a clear error, no partial file, no note change."""
    how = ctx.stack.mount_small_media("1m")
    if how is None:
        ctx.report("disk_full", {"skipped": "needs root to mount a tmpfs on MEDIA_ROOT"})
        return
    before = integrity(ctx, [])
    browser = Browser(ctx.ports[0])
    browser.login(*ADMIN)
    image = _noise_png(300)  # ~270 KB of incompressible pixels
    answers = []
    for _ in range(6):
        status, body = browser.upload_image(image)
        try:
            body = " ".join(sum(json.loads(body).values(), [])) if status != 200 else "stored"
        except (ValueError, TypeError):
            body = body[:160]
        answers.append((status, body))
    media = Path(ctx.stack.media)
    files = [p for p in media.rglob("*") if p.is_file()]
    complete = 0
    for path in files:
        try:
            with Image.open(path) as stored:
                stored.load()
            complete += 1
        except OSError:
            pass
    after = integrity(ctx, [])
    figures = {
        "how": how,
        "upload_size_kb": round(len(image) / 1024),
        "answers": [f"{status} {body}" for status, body in answers],
        "stored": sum(status == 200 for status, _ in answers),
        "files_on_disk": len(files),
        "complete_files": complete,
        "notes_unchanged": before["notes"] == after["notes"],
        "other_5xx": sum(status >= 500 and status != 507 for status, _ in answers),
    }
    ctx.stack.unmount_media()
    ctx.report("disk_full", figures)


def several_servers(ctx):
    """Two gunicorn servers, one PostgreSQL and one Redis: sessions, lockout, fresh pages."""
    first, second = ctx.ports
    author = Browser(first)
    login_status = author.login(*ADMIN)
    status_elsewhere, _, page = author.get("/admin/", port=second)
    attacker = Browser(first)
    answers = []
    for attempt in range(6):
        port = (first, second)[attempt % 2]
        answers.append(attacker.login("faults-victim", f"wrong-{attempt}", port=port))
    locked_on = {port: Browser(port).login("faults-victim", "wrong", port) for port in ctx.ports}
    # Autosave on the first server; the note's form on the second offers the text back.
    pk = int(_note_pks(ctx, 1)[0])
    marker = uuid.uuid4().hex[:8]
    text = {
        "title": f"自动保存 {marker}",
        "body": f"未保存的文字 {marker}",
        "tags": "",
        "summary": "",
    }
    autosave_status = author.autosave(pk, text, port=first)
    _, _, form = author.get(f"/admin/articles/article/{pk}/change/", port=second)
    author.post("/admin/articles/article/autosave/discard/", {"article": pk}, port=second,
                headers={"X-CSRFToken": author.cookies.get("csrftoken", "")})  # fmt: skip
    figures = {
        "login_on_first": login_status,
        "session_on_second": status_elsewhere,
        "session_valid_on_second": status_elsewhere == 200 and "logout" in page.lower(),
        "failed_logins_alternating": answers,
        "locked_out_on": locked_on,
        "autosave_on_first": autosave_status,
        "autosave_offered_on_second": marker in form,
        "stale_reads_after_edit": _stale_reads(ctx, pk),
    }
    ctx.report("several_servers", figures)
