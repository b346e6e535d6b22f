"""The real implementation converges: the hub and two boxes, random edits, creations and
deletes on all three, syncs in random order, box clocks a day fast and a day slow (the
in-memory model of the protocol is checked far harder in tests/test_merge_properties.py)."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests._hub import Hub, SyncBox, enrolled_box, running_hub

FIELDS = ("title", "last_date")


@pytest.fixture
async def replicas(tmp_path: Path) -> AsyncIterator[tuple[Hub, SyncBox, SyncBox]]:
    async with (
        running_hub(tmp_path / "hub") as hub,
        enrolled_box(hub, tmp_path / "a") as a,
        enrolled_box(hub, tmp_path / "b") as b,
    ):
        assert a.db.clock is not None and b.db.clock is not None
        a.db.clock._wall = lambda: time.time() + 86_400
        b.db.clock._wall = lambda: time.time() - 86_400
        yield hub, a, b


async def box_rows(box: SyncBox) -> dict[str, dict[str, Any]]:
    rows = await box.db.read(
        lambda c: c.execute("SELECT id, title, last_date, deleted FROM holidays").fetchall()
    )
    return {r.pop("id"): r for r in rows}


def hub_rows(hub: Hub) -> dict[str, dict[str, Any]]:
    found = hub.store.rows("north", "holidays")
    return {row: {k: fields.get(k) for k in (*FIELDS, "deleted")} for row, fields in found.items()}


def _new(n: int) -> dict[str, Any]:
    return {"source_uid": f"h{n}", "title": f"Holiday {n}", "first_date": "2026-12-21",
            "last_date": "2027-01-02", "deleted": 0}  # fmt: skip


async def _box_step(box: SyncBox, rng: random.Random, n: int) -> None:
    live = [row for row, r in (await box_rows(box)).items() if not r["deleted"]]
    if not live or rng.random() < 0.25:
        await box.write(lambda tx: tx.insert("holidays", _new(n)))
        return
    row = rng.choice(live)
    if rng.random() < 0.1:
        await box.write(lambda tx: tx.delete("holidays", row))
        return
    field = rng.choice(FIELDS)
    await box.write(lambda tx: tx.update("holidays", row, {field: f"{field} {n}"}))


def _hub_step(hub: Hub, rng: random.Random, n: int) -> None:
    rows = list(hub_rows(hub))
    now = int(time.time())
    if not rows or rng.random() < 0.25:
        hub.store.edit("north", "holidays", f"central-{n}", _new(n), now)
    else:
        field = rng.choice(FIELDS)
        hub.store.edit("north", "holidays", rng.choice(rows), {field: f"central {n}"}, now)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_hub_and_two_skewed_boxes_converge(
    replicas: tuple[Hub, SyncBox, SyncBox], seed: int
) -> None:
    hub, a, b = replicas
    rng = random.Random(seed)
    for n in range(60):
        actor = rng.choice(("hub", "a", "b"))
        if actor == "hub":
            _hub_step(hub, rng, n)
        else:
            await _box_step(a if actor == "a" else b, rng, n)
        if rng.random() < 0.3:
            await rng.choice((a, b)).sync()
    for box in (a, b, a):
        await box.sync()
    final = hub_rows(hub)
    assert len(final) >= 10
    assert await box_rows(a) == final
    assert await box_rows(b) == final
    lost = len(await a.conflicts()) + len(await b.conflicts())
    assert lost > 0, "the skewed clocks and offline edits made concurrent writes"
