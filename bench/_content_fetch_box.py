"""The box's side of `bench/content_fetch.py`, run inside namespace a of the shaped link.

It builds a fresh `BlobStore`, runs the box's own `Fetcher` on the wanted blobs (a JSON list
of `[sha256, size]`), samples the progress every 0.2 s, re-hashes every stored file and prints
one JSON object. Timestamps are `time.monotonic()`, the same clock as the orchestrator's.

    python bench/_content_fetch_box.py --hub http://10.99.1.2:8080 --wanted W.json --store D
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import socket
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from content_cache import BlobStore, Fetcher, FetchRules, HubUnreachable

SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class Item:
    sha256: str
    size: int
    entry_id: str


def tracing(requests: list[dict[str, Any]]) -> aiohttp.TraceConfig:
    """Every GET the fetcher makes, with its Range and when it started (monotonic)."""
    trace = aiohttp.TraceConfig()

    async def started(
        session: aiohttp.ClientSession, context: SimpleNamespace, params: Any
    ) -> None:
        requests.append({"at": time.monotonic(), "range": params.headers.get("Range", "")})

    async def failed(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
        requests.append({"at": time.monotonic(), "error": type(params.exception).__name__})

    trace.on_request_start.append(started)
    trace.on_request_exception.append(failed)
    return trace


async def sample(fetcher: Fetcher, samples: list[tuple[float, int]]) -> None:
    while True:
        samples.append((time.monotonic(), fetcher.progress.bytes_done))
        await asyncio.sleep(SAMPLE_SECONDS)


def _small_window(rcvbuf: int) -> Any:
    """A socket factory: SO_RCVBUF set before connecting (0: the kernel's autotuning), which
    caps the receive window and so the bytes in flight towards the box."""

    def make(addr_info: Any) -> socket.socket:
        family, kind, proto, _, _ = addr_info
        sock = socket.socket(family=family, type=kind, proto=proto)
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        return sock

    return make


def verify(store: BlobStore, items: list[Item]) -> dict[str, Any]:
    """Re-hash every stored file: each must exist, have its size and hash to its name."""
    bad = []
    for item in items:
        path = store.path(item.sha256)
        if path is None:
            bad.append(f"{item.sha256[:12]}: missing")
            continue
        data = path.read_bytes()
        if len(data) != item.size or hashlib.sha256(data).hexdigest() != item.sha256:
            bad.append(f"{item.sha256[:12]}: does not verify")
    return {"verified": len(items) - len(bad), "bad": bad}


async def fetch(args: argparse.Namespace, items: list[Item]) -> dict[str, Any]:
    store = BlobStore(Path(args.store), quota_bytes=1 << 40, reserve_free_bytes=0)
    rules = FetchRules(
        parallel=args.parallel,
        backoff_min_seconds=args.backoff_min,
        backoff_max_seconds=args.backoff_max,
        attempts=args.attempts,
        connect_seconds=args.sock_connect,
        stall_seconds=args.sock_read,
    )
    fetcher = Fetcher(store, rules, datetime.now)
    connector = aiohttp.TCPConnector(socket_factory=_small_window(args.rcvbuf))
    requests: list[dict[str, Any]] = []
    samples: list[tuple[float, int]] = []
    sampler = asyncio.create_task(sample(fetcher, samples))
    started = time.monotonic()
    rounds, received, failed = 0, 0, 0
    async with aiohttp.ClientSession(
        args.hub, trace_configs=[tracing(requests)], connector=connector
    ) as http:
        while rounds < args.rounds:  # the box's next prefetch round would retry what failed
            rounds += 1
            with contextlib.suppress(HubUnreachable):  # the box's round would end the same way
                await fetcher.run(http, items)
            progress = fetcher.progress
            received += progress.bytes_received
            failed += progress.items_failed
            if progress.items_failed == 0:
                break
    finished = time.monotonic()
    sampler.cancel()
    samples.append((finished, sum(item.size for item in items)))
    check = await asyncio.to_thread(verify, store, items)
    store.close()
    return {
        "started": started,
        "finished": finished,
        "elapsed": finished - started,
        "rounds": rounds,
        "items": len(items),
        "items_failed_in_rounds": failed,
        "bytes_total": sum(item.size for item in items),
        "bytes_received": received,
        "requests": len([r for r in requests if "range" in r]),
        "resumed_requests": len([r for r in requests if r.get("range")]),
        "request_errors": [r["error"] for r in requests if "error" in r],
        "last_error": progress.last_error,
        "samples": samples,
        **check,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", required=True)
    parser.add_argument("--wanted", required=True, help="JSON list of [sha256, size]")
    parser.add_argument("--store", required=True)
    parser.add_argument("--parallel", type=int, default=2)
    box = FetchRules()
    parser.add_argument("--backoff-min", type=float, default=box.backoff_min_seconds)
    parser.add_argument("--backoff-max", type=float, default=box.backoff_max_seconds)
    parser.add_argument("--attempts", type=int, default=box.attempts)
    parser.add_argument("--sock-connect", type=float, default=box.connect_seconds)
    parser.add_argument("--sock-read", type=float, default=box.stall_seconds)
    parser.add_argument("--rounds", type=int, default=1, help="fetcher runs at most")
    parser.add_argument("--rcvbuf", type=int, default=0, help="SO_RCVBUF; 0: autotuning")
    args = parser.parse_args()
    wanted = json.loads(Path(args.wanted).read_text())
    items = [Item(sha, size, f"bench-{n}") for n, (sha, size) in enumerate(wanted)]
    print(json.dumps(asyncio.run(fetch(args, items))))


if __name__ == "__main__":
    main()
