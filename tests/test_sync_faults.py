"""Kill -9 of the box and of the hub at random moments of real sync rounds (short version of
`bench/sync_faults.py`): afterwards nothing is lost, nothing duplicated, both agree."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench._kill_loop import kill_loop


async def test_sync_survives_kill_9_of_box_and_hub(tmp_path: Path) -> None:
    result = await asyncio.to_thread(kill_loop, tmp_path, 6, 3, 200)
    assert result.problems == []
    assert result.iterations == 6 and result.box_kills + result.hub_kills >= 2
    assert result.box_changes == 5200 and result.central_edits == 600
