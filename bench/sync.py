"""Benchmark of diary sync over a slow rural link (issue: diary sync).

The real hub (`edge-hub run`) in one network namespace and real boxes (`edge sync now`) in the
other, joined by `../shared/tools/shaped-link` at 256 kbit/s, 150 ms each way (300 ms round
trip) and 1% loss each way. The link's own counters give the bytes on the wire, every IP, TCP
and HTTP byte included.

1. Reconcile: box A comes back after four offline school days of a 1,000-student school
   (~28,000 diary changes in its change log, at the moments they were written) while the
   platform made 1,000 central edits (lessons renamed): one `edge sync now` pushes the first
   and pulls the second.
2. In-sync round: the same box syncs again with nothing new either way.
3. Pull: box B of the same school, enrolled with nothing of its own, pulls all of it.

Run as root: `.venv/bin/python bench/sync.py [--days 4]` (needs iproute2, iptables, ethtool).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._diary_changes import NODE, school_days
from bench._shaped import BIN, in_link, link_up, running_hub, shaped
from bench._sync_seed import own_changes, seed_school
from edge.db import Database
from sync._wire import Change
from sync.hub import HubStore

REPO = Path(__file__).resolve().parents[1]
LINK = "edgesync"
PORT = 8443
SCHOOL = "bench"
CENTRAL_EDITS = 1000


def wire_bytes() -> int:
    stats = json.loads(shaped("stats", LINK))
    return int(stats["a_to_b"]["tx_bytes"]) + int(stats["b_to_a"]["tx_bytes"])


def edge(box: Path, *args: str, link: str = LINK) -> list[str]:
    """`edge --data-dir BOX ARGS` in namespace a of `link`."""
    return in_link(link, "a", str(BIN / "edge"), "--data-dir", str(box), *args)


def sync_round(box: Path) -> dict[str, Any]:
    """One `edge sync now` in namespace a, with what it printed and what the link carried."""
    before, started = wire_bytes(), time.monotonic()
    out = subprocess.run(edge(box, "sync", "now"), check=True, capture_output=True, text=True)
    numbers = [int(n) for n in re.findall(r"(?:pushed|pulled) (\d+) changes", out.stdout)]
    return {
        "pushed": numbers[0],
        "pulled": numbers[1],
        "round_seconds": float(re.findall(r"in ([\d.]+) s", out.stdout)[-1]),
        "process_seconds": time.monotonic() - started,
        "wire_bytes": wire_bytes() - before,
    }


def prepare(folder: Path, days: int) -> tuple[Path, Path, list[str]]:
    """The hub with its central edits, box A with its offline days, box B with the school."""
    changes = school_days(days)
    store = HubStore(folder / "hub" / "hub.db")
    store.add_school(SCHOOL, "Bench School")
    tokens = [store.new_token(SCHOOL, int(time.time())) for _ in range(2)]
    lessons = sorted({str(c.fields["lesson_id"]) for c in changes if c.table == "attendance"})
    for n, lesson in enumerate(lessons[:CENTRAL_EDITS]):
        store.edit(SCHOOL, "lessons", lesson, {"title": f"Lesson {n} (moved)"}, int(time.time()))
    store.close()
    boxes = [folder / "box-a", folder / "box-b"]
    for box, own in zip(boxes, (changes, []), strict=True):
        subprocess.run([str(BIN / "edge"), "--data-dir", str(box), "init"], check=True,
                       capture_output=True)  # fmt: skip
        asyncio.run(_fill(box, changes, own))
    return boxes[0], boxes[1], tokens


async def _fill(box: Path, school: list[Change], own: list[Change]) -> None:
    async with Database(box / "edge.db") as db:
        await db.write(seed_school(school))
        if own:
            await db.write(own_changes(own, NODE))


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    box_a, box_b, tokens = prepare(folder, args.days)
    with (
        link_up(LINK, args.rate, args.delay, args.loss) as ip_b,
        running_hub(LINK, folder / "hub", ip_b, PORT) as hub,
    ):
        for box, token in zip((box_a, box_b), tokens, strict=True):
            subprocess.run(edge(box, "enroll", hub, token), check=True, capture_output=True)
        reconcile = sync_round(box_a)
        in_sync = sync_round(box_a)
        pulled = sync_round(box_b)
    moved = reconcile["pushed"] + reconcile["pulled"]
    return {
        "link": {"rate": args.rate, "delay_each_way": args.delay, "loss_each_way": args.loss},
        "reconcile": reconcile,
        "reconcile_bytes_per_change": reconcile["wire_bytes"] / moved,
        "in_sync_round": in_sync,
        "pull": pulled,
        "pull_bytes_per_change": pulled["wire_bytes"] / pulled["pulled"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--rate", default="256kbit")
    parser.add_argument("--delay", default="150ms")
    parser.add_argument("--loss", default="1%")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edge-sync-bench-") as folder:
        print(json.dumps(run(args, Path(folder)), indent=2))


if __name__ == "__main__":
    main()
