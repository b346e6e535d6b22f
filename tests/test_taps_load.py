"""A short run of bench/taps.py: many readers at once, every tap stored exactly once."""

from __future__ import annotations

from pathlib import Path

from bench.taps import Box, latency, load


async def test_taps_from_five_readers_are_all_stored_once(tmp_path: Path) -> None:
    async with Box(tmp_path, rooms=5) as box:
        cards = await box.cards_by_room()
        await latency(box, cards[0], 20)  # one reader, taps one after another
        sustained = await load(box, cards, rate=50, seconds=2)
    assert sustained["presented"] == 100
    assert (sustained["lost"], sustained["doubled"]) == (0, 0)
    assert len(box.results) == 120, "every tap was committed and reported once"
