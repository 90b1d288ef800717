"""What every scenario gets: the stack, the site's paths, the run's length and a printer."""

import json
import random
from dataclasses import dataclass, field

from .load import request
from .stack import Stack, memory_kib

# The superuser tasks.py seed creates for the authors of the scenarios.
ADMIN = ("faults-admin", "faults-admin-password-1")


def integrity(ctx, pks):
    """tasks.py check: half-stored notes, and the given notes re-rendered and compared."""
    return json.loads(ctx.stack.django_task("check", *map(str, sorted(pk for pk in pks if pk))))


@dataclass
class Context:
    stack: Stack
    paths: dict
    short: bool
    results: dict = field(default_factory=dict)

    @property
    def ports(self):
        return [server.port for server in self.stack.servers]

    def seconds(self, full, short):
        return short if self.short else full

    def reader_targets(self, ports=None):
        """(port, path, headers) over home, notes, lists, feeds, search and conditional GETs."""
        ports = ports or self.ports
        status, headers, _ = request(ports[0], "/feeds/rss/")
        etag = headers.get("etag") if status == 200 else None
        pages = ["/", "/?page=2", "/categories/", self.paths["archive"], "/feeds/rss/",
                 "/feeds/atom/", "/feeds/json/", "/search/?q=注意力机制", "/search/?q=策略梯度",
                 "/sitemap.xml"]  # fmt: skip
        pages += self.paths["notes"][:40] + self.paths["categories"] + self.paths["tags"][:10]
        random.Random(15).shuffle(pages)
        targets = []
        for index, path in enumerate(pages):
            targets.append((ports[index % len(ports)], path, {}))
            if etag and index % 8 == 0:
                targets.append((ports[(index + 1) % len(ports)], "/feeds/rss/",
                                {"If-None-Match": etag}))  # fmt: skip
        return targets

    def worker_pids(self):
        return {server.port: server.workers() for server in self.stack.servers}

    def worker_memory(self):
        """PSS of every worker, MiB, by server port."""
        return {
            port: [round(memory_kib(pid) / 1024, 1) for pid in pids]
            for port, pids in self.worker_pids().items()
        }

    def report(self, name, figures):
        self.results[name] = figures
        print(f"--- {name}", flush=True)
        for key, value in figures.items():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            print(f"    {key}: {text}", flush=True)
