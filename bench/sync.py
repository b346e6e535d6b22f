"""Benchmark of diary sync over a slow rural link (issue: diary sync).

The real hub (`edge-hub run`) in one network namespace and a box-side client in the other,
joined by `../shared/tools/shaped-link` at 256 kbit/s, 150 ms each way (300 ms round trip) and
1% loss each way. The client enrolls, pushes four school days of a 1,000-student school's diary
changes (~28,000) in signed, zstd-compressed batches, then makes one in-sync round. The link's
own counters give the bytes on the wire, every IP, TCP and HTTP byte included.

Not yet measured here (the box's own storage side is the next step of the issue): applying
changes on the box, and pulling them back. Run as root: `.venv/bin/python bench/sync.py`
(needs iproute2, iptables, ethtool).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sync.hub import HubStore

REPO = Path(__file__).resolve().parents[1]
SHAPED_LINK = os.environ.get("SHAPED_LINK", str(REPO.parent / "shared" / "tools" / "shaped-link"))
LINK = "edgesync"
PORT = 8443


def shaped(*args: str) -> str:
    return subprocess.run([SHAPED_LINK, *args], check=True, capture_output=True, text=True).stdout


def wire_bytes() -> int:
    stats = json.loads(shaped("stats", LINK))
    return int(stats["a_to_b"]["tx_bytes"]) + int(stats["b_to_a"]["tx_bytes"])


def in_namespace(side: str, *command: str) -> list[str]:
    return [SHAPED_LINK, "exec", LINK, side, "--", *command]


def client(phase: str, hub: str, state: Path, *extra: str) -> dict[str, Any]:
    script = str(REPO / "bench" / "_sync_client.py")
    out = subprocess.run(
        in_namespace("a", sys.executable, script, phase, hub, str(state), *extra),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def wait_for_hub(ip: str) -> None:
    probe = f"import socket; socket.create_connection(('{ip}', {PORT}), 1)"
    for _ in range(200):
        ok = subprocess.run(in_namespace("b", sys.executable, "-c", probe), capture_output=True)
        if ok.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("the hub did not start")


def measured(phase: str, hub: str, state: Path, *extra: str) -> dict[str, Any]:
    before, started = wire_bytes(), time.monotonic()
    result = client(phase, hub, state, *extra)
    return {
        **result,
        "wire_bytes": wire_bytes() - before,
        "wall_seconds": time.monotonic() - started,
    }


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    store = HubStore(folder / "hub" / "hub.db")
    store.add_school("bench", "Bench School")
    token = store.new_token("bench", int(time.time()))
    store.close()
    subprocess.run([SHAPED_LINK, "down", LINK], capture_output=True, check=False)  # leftovers
    _, ip_b = shaped(
        "up", LINK, "--rate", args.rate, "--delay", args.delay, "--loss", args.loss
    ).split()
    edge_hub = str(Path(sys.executable).parent / "edge-hub")
    hub_process = subprocess.Popen(
        in_namespace(
            "b",
            edge_hub,
            "--data-dir",
            str(folder / "hub"),
            "run",
            "--host",
            ip_b,
            "--port",
            str(PORT),
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_hub(ip_b)
        hub, state = f"http://{ip_b}:{PORT}", folder / "box.json"
        enrolled = measured("enroll", hub, state, "--token", token)
        pushed = measured("push", hub, state, "--days", str(args.days))
        in_sync = measured("in-sync", hub, state)
    finally:
        hub_process.terminate()
        hub_process.wait(timeout=10)
        shaped("down", LINK)
    return {
        "link": {"rate": args.rate, "delay_each_way": args.delay, "loss_each_way": args.loss},
        "enroll": enrolled,
        "push": pushed,
        "push_bytes_per_change": pushed["wire_bytes"] / pushed["changes"],
        "in_sync_round": in_sync,
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
