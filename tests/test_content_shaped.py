"""The box's fetcher over a real shaped link cut twice: a short `bench/content_fetch.py`.

The real hub in namespace b, the box's own `Fetcher` (`bench/_content_fetch_box.py`) in
namespace a, `../shared/tools/shaped-link` between them at 4 Mbit/s, 20 ms each way and 1% loss.
One cut (1 s) is shorter than the box's stall time and rides on TCP's retransmissions; the other
(4.5 s) is longer, so the download resumes with `Range` on a new connection."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench._shaped import Cut, cut_during, in_link, start_hub, stop_hub
from bench.content_fetch import Blob, publish, resume_delays
from tests._shaped import SHAPED_TESTS, made_link

BOX = Path(__file__).resolve().parents[1] / "bench" / "_content_fetch_box.py"
PORT = 8445
SIZES = (1_200_000, 800_000, 450_000)

pytestmark = SHAPED_TESTS


@pytest.fixture
def link() -> Iterator[tuple[str, str]]:
    with made_link("cf", "4mbit", "20ms", "1%") as made:
        yield made


def lessons(folder: Path) -> list[Blob]:
    rng = random.Random(7)
    folder.mkdir()
    blobs = []
    for n, size in enumerate(SIZES):
        data = rng.randbytes(size)
        (folder / f"{n}-sheet.pdf").write_bytes(data)
        blobs.append(Blob(f"{n}-sheet.pdf", hashlib.sha256(data).hexdigest(), size))
    return blobs


def fetch_with_cuts(name: str, hub_url: str, folder: Path, blobs: list[Blob]) -> dict[str, Any]:
    wanted = folder / "wanted.json"
    wanted.write_text(json.dumps([[b.sha256, b.size] for b in blobs]))
    command = in_link(name, "a", sys.executable, str(BOX), "--hub", hub_url,
                      "--wanted", str(wanted), "--store", str(folder / "store"))  # fmt: skip
    box = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        total = sum(SIZES)
        cuts = cut_during(name, box, [Cut(total // 5, 1.0), Cut(total * 11 // 20, 4.5)])
        out, err = box.communicate(timeout=120)
    finally:
        if box.poll() is None:
            box.kill()
            box.wait()
    assert box.returncode == 0, err
    result: dict[str, Any] = json.loads(out)
    result["cuts"] = cuts
    return result


def test_downloads_survive_cuts_and_resume_where_they_stopped(
    link: tuple[str, str], tmp_path: Path
) -> None:
    name, ip_b = link
    blobs = lessons(tmp_path / "lessons")
    publish(tmp_path / "hub", tmp_path / "lessons", blobs)
    hub = start_hub(name, tmp_path / "hub", ip_b, PORT)
    try:
        result = fetch_with_cuts(name, f"http://{ip_b}:{PORT}", tmp_path, blobs)
    finally:
        stop_hub(hub)
    assert len(result["cuts"]) == 2, "both cuts fell while the fetch ran"
    assert (result["verified"], result["bad"]) == (len(blobs), [])
    assert result["resumed_requests"] >= 1, "the 4.5 s cut made a download resume with Range"
    assert result["bytes_received"] == sum(SIZES), "the box received no byte twice"
    assert max(resume_delays(result["samples"], result["cuts"])) < 8.0
