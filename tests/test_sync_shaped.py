"""Diary sync over a real shaped link that is cut mid-push: a short `bench/sync.py`.

The real hub in namespace b, a real box (`edge sync now`) in namespace a, two offline school days
of a 1,000-student school (14,227 changes, three batches) to push, over
`../shared/tools/shaped-link` at 2 Mbit/s, 50 ms each way and 1% loss. One cut is ridden through
by TCP; during a second the box's process is killed. The next round pushes the rest, and the hub
holds every change exactly once."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._diary_changes import NODE
from bench._shaped import running_hub, sent, shaped, wait_until_sent
from bench.sync import edge, prepare
from edge.hubsync._push import BATCH
from tests._shaped import SHAPED_TESTS, made_link

PORT = 8446
CHANGES = 14_227  # bench._diary_changes.school_days(2): batches of 5,000, 5,000 and 4,227

pytestmark = SHAPED_TESTS


@pytest.fixture
def link() -> Iterator[tuple[str, str]]:
    with made_link("sy", "2mbit", "50ms", "1%") as made:
        yield made


def sync_now(name: str, box: Path) -> str:
    """What a whole `edge sync now` round printed."""
    done = subprocess.run(edge(box, "sync", "now", link=name), check=True,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout


def feed_of_box(hub_db: Path) -> tuple[int, int, int]:
    """The hub's feed rows of the box's node: all of them, distinct node_seq, the highest."""
    with contextlib.closing(sqlite3.connect(f"file:{hub_db}?mode=ro", uri=True)) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT node_seq), max(node_seq) FROM feed WHERE node = ?",
            [NODE],
        ).fetchone()
    return int(row[0]), int(row[1]), int(row[2] or 0)


def push_cut_then_killed(name: str, box: Path, hub_db: Path) -> None:
    first = subprocess.Popen(edge(box, "sync", "now", link=name), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert wait_until_sent(name, first, "a", sent(name, "a") + 60_000), "the push is under way"
        shaped("cut", name)
        time.sleep(2.0)  # TCP retransmits through this one
        shaped("heal", name)
        while first.poll() is None and feed_of_box(hub_db)[0] < BATCH:
            time.sleep(0.05)
        assert wait_until_sent(name, first, "a", sent(name, "a") + 20_000), "the second batch is on"
        shaped("cut", name)
        first.kill()  # the box loses power mid-batch, the link still down
        first.wait()
        shaped("heal", name)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def test_a_push_cut_and_killed_mid_transfer_lands_exactly_once(
    link: tuple[str, str], tmp_path: Path
) -> None:
    name, ip_b = link
    box, _, tokens = prepare(tmp_path, days=2)
    hub_db = tmp_path / "hub" / "hub.db"
    with running_hub(name, tmp_path / "hub", ip_b, PORT) as hub_url:
        enroll = edge(box, "enroll", hub_url, tokens[0], link=name)
        subprocess.run(enroll, check=True, capture_output=True)
        push_cut_then_killed(name, box, hub_db)
        assert feed_of_box(hub_db) == (BATCH, BATCH, BATCH), "the first batch, and only it"
        again = sync_now(name, box)
        assert re.search(rf"pushed {CHANGES - BATCH} changes", again), again
        in_sync = sync_now(name, box)
        assert "pushed 0 changes" in in_sync, in_sync
    assert feed_of_box(hub_db) == (CHANGES, CHANGES, CHANGES)
