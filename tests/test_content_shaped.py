"""The box's fetcher over a real shaped link cut twice: a short `bench/content_fetch.py`.

The real hub in namespace b, the box's own `Fetcher` (`bench/_content_fetch_box.py`) in
namespace a, `../shared/tools/shaped-link` between them at 4 Mbit/s, 20 ms each way and 1% loss.
One cut (1 s) is shorter than the box's stall time and rides on TCP's retransmissions; the other
(4.5 s) is longer, so the download resumes with `Range` on a new connection."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._shaped import Cut, running_hub
from bench.content_fetch import box_with_cuts, publish, resume_delays, write_blobs
from tests._shaped import SHAPED_TESTS, made_link

PORT = 8445
SIZES = (1_200_000, 800_000, 450_000)

pytestmark = SHAPED_TESTS


@pytest.fixture
def link() -> Iterator[tuple[str, str]]:
    with made_link("cf", "4mbit", "20ms", "1%") as made:
        yield made


def test_downloads_survive_cuts_and_resume_where_they_stopped(
    link: tuple[str, str], tmp_path: Path
) -> None:
    name, ip_b = link
    blobs = write_blobs(tmp_path / "lessons", list(SIZES), random.Random(7))
    publish(tmp_path / "hub", tmp_path / "lessons", blobs)
    total = sum(SIZES)
    cuts = [Cut(total // 5, 1.0), Cut(total * 11 // 20, 4.5)]
    with running_hub(name, tmp_path / "hub", ip_b, PORT) as hub_url:
        result = box_with_cuts(name, hub_url, tmp_path, blobs, cuts, timeout=120)
    assert len(result["cuts"]) == 2, "both cuts fell while the fetch ran"
    assert (result["verified"], result["bad"]) == (len(blobs), [])
    assert result["resumed_requests"] >= 1, "the 4.5 s cut made a download resume with Range"
    assert result["bytes_received"] == sum(SIZES), "the box received no byte twice"
    assert max(resume_delays(result["samples"], result["cuts"])) < 8.0
