"""The sync API, metrics and readiness, against a real hub on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from edge.db import Tx
from edge.web._keys import DB
from tests._box import Box, box_settings, make_app, start_box
from tests._hub import Hub, enrolled_box, running_hub


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    async with running_hub(tmp_path / "hub") as found:
        yield found


async def enrolled_app(aiohttp_client: Any, data_dir: Path, hub: Hub, **sync: Any) -> Box:
    """A box enrolled with `hub`, serving the small school; its schedule off unless asked."""
    async with enrolled_box(hub, data_dir):
        pass
    settings = box_settings(data_dir).replace("sync", **({"enabled": False} | sync))
    return await start_box(await aiohttp_client(make_app(settings)))


async def new_mark(box: Box) -> None:
    body = {"student_id": box.school["sam"], "class_id": box.school["7a"], "value": 4}
    status, answer = await box.call("POST", "/marks", "admin", body)
    assert status == 201, answer


async def text(box: Box, path: str) -> str:
    return await (await box.client.get(path)).text()


async def test_sync_now_pushes_and_the_status_metrics_and_readiness_show_it(
    hub: Hub, aiohttp_client: Any, tmp_path: Path
) -> None:
    box = await enrolled_app(aiohttp_client, tmp_path / "box", hub)
    status, first = await box.call("POST", "/sync/now", "admin")
    assert status == 200, first
    before = hub.feed_size()
    await new_mark(box)
    status, answer = await box.call("POST", "/sync/now", "admin")
    assert status == 200, answer
    assert answer["pushed"]["changes"] >= 1 and hub.feed_size() > before
    assert answer["bytes_sent"] > 0 and answer["bytes_received"] > 0
    assert {"entries", "conflicts", "refused", "cursor"} <= set(answer["pulled"])
    status, found = await box.call("GET", "/sync/status", "admin")
    assert status == 200 and found["enrolled"] and found["school_id"] == "north"
    assert found["pending"] == 0 and found["last_error"] == ""
    assert found["last_success"] is not None and abs(found["last_success"] - time.time()) < 60
    assert found["schedule"] == {
        "next_run": None,  # the schedule is off in this test; the API syncs anyway
        "failures": 0,
        "backoff_seconds": 0.0,
        "running": False,
    }
    metrics = await text(box, "/metrics")
    assert "edge_sync_pending_changes 0\n" in metrics
    assert "edge_sync_consecutive_failures 0\n" in metrics
    assert f"edge_sync_last_success_timestamp_seconds {found['last_success']}\n" in metrics
    assert f"edge_sync_bytes_sent_total {found['bytes_sent']}\n" in metrics
    assert "# TYPE edge_sync_bytes_received_total counter" in metrics
    assert "# HELP edge_sync_clock_offset_seconds " in metrics
    ready = await (await box.client.get("/readyz")).json()
    assert ready["sync"] == {
        "enrolled": True,
        "last_success": found["last_success"],
        "last_error": "",
    }


async def test_an_unreachable_hub_is_a_502_and_the_box_stays_ready(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    async with running_hub(tmp_path / "hub") as hub, enrolled_box(hub, tmp_path / "box"):
        pass
    # the hub is gone: its port is closed
    box = await start_box(await aiohttp_client(make_app(box_settings(tmp_path / "box"))))
    status, answer = await box.call("POST", "/sync/now", "admin")
    assert status == 502 and answer["error"] == "hub_unreachable", answer
    assert answer["detail"].startswith(f"cannot reach the hub at {hub.url}")
    status, found = await box.call("GET", "/sync/status", "admin")
    assert found["last_error"].startswith("cannot reach the hub") and found["last_success"] is None
    assert found["schedule"]["failures"] >= 1 and found["pending"] > 0
    ready = await box.client.get("/readyz")
    body = await ready.json()
    assert ready.status == 200 and body["ready"] is True
    assert body["sync"]["enrolled"] is True and body["sync"]["last_error"] == found["last_error"]
    metrics = await text(box, "/metrics")
    assert f"edge_sync_consecutive_failures {found['schedule']['failures']}\n" in metrics


async def test_a_hub_that_refuses_is_a_502_sync_failed(
    hub: Hub, aiohttp_client: Any, tmp_path: Path
) -> None:
    box = await enrolled_app(aiohttp_client, tmp_path / "box", hub)
    await box.client.app[DB].write(
        lambda tx: tx.conn.execute("UPDATE meta SET value = 'unknown' WHERE key = 'key_id'")
    )
    status, answer = await box.call("POST", "/sync/now", "admin")
    assert status == 502 and answer["error"] == "sync_failed", answer
    assert "refused" in answer["detail"]


async def test_the_schedule_syncs_an_enrolled_box_by_itself(
    hub: Hub, aiohttp_client: Any, tmp_path: Path
) -> None:
    box = await enrolled_app(
        aiohttp_client, tmp_path / "box", hub, enabled=True, interval_minutes=0.05 / 60
    )
    before = hub.feed_size()
    await new_mark(box)
    deadline = time.monotonic() + 5
    found: dict[str, Any] = {"pending": 1}
    while found["pending"] or hub.feed_size() == before:
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.02)
        _, found = await box.call("GET", "/sync/status", "admin")
    assert found["last_success"] is not None and found["schedule"]["failures"] == 0


async def test_a_box_not_enrolled_answers_409_and_says_so(box: Box) -> None:
    status, answer = await box.call("POST", "/sync/now", "admin")
    assert (status, answer["error"]) == (409, "not_enrolled")
    assert "edge enroll" in answer["detail"]
    status, found = await box.call("GET", "/sync/status", "admin")
    assert status == 200 and found["enrolled"] is False and found["last_success"] is None
    assert found["schedule"]["failures"] == 0
    status, _ = await box.call("GET", "/sync/status", "teach")
    assert status == 403


def conflict(n: int) -> dict[str, Any]:
    return {
        "reason": "concurrent",
        "table_name": "marks",
        "row_id": f"row-{n}",
        "field": "value",
        "losing_value": str(n),
        "losing_hlc": f"hlc-{n}",
        "losing_node": "box",
        "winning_value": str(n + 1),
        "winning_hlc": f"hlc-{n + 1}",
        "winning_node": "hub",
        "detected_at": "2026-11-23T08:30:00Z",
    }


async def test_the_conflict_log_pages_by_id(box: Box) -> None:
    def write(tx: Tx) -> None:
        for n in range(3):
            row = conflict(n)
            names = ", ".join(row)
            marks = ", ".join("?" * len(row))
            tx.conn.execute(
                f"INSERT INTO sync_conflicts ({names}) VALUES ({marks})", list(row.values())
            )

    await box.client.app[DB].write(write)
    status, found = await box.call("GET", "/sync/conflicts", "admin")
    assert status == 200 and [c["row_id"] for c in found["conflicts"]] == [
        "row-0",
        "row-1",
        "row-2",
    ]
    assert found["conflicts"][0]["winning_node"] == "hub"
    first = found["conflicts"][0]["id"]
    status, page = await box.call("GET", f"/sync/conflicts?limit=1&after={first}", "admin")
    assert status == 200 and [c["row_id"] for c in page["conflicts"]] == ["row-1"]
    for bad in ("limit=0", "limit=1001", "limit=ten", "after=-1"):
        status, answer = await box.call("GET", f"/sync/conflicts?{bad}", "admin")
        assert (status, answer["error"]) == (400, "invalid_query"), bad
    status, _ = await box.call("GET", "/sync/conflicts", "teach")
    assert status == 403
    status, found = await box.call("GET", "/sync/status", "admin")
    assert found["conflicts"] == 3
    assert "edge_sync_conflicts_total 3\n" in await text(box, "/metrics")
