"""Benchmark of lesson downloads over a shaped, breaking link (content issue).

The real hub (`edge-hub run`, `GET /v1/blobs/{sha256}` with Range) in network namespace b; the
box's own fetcher (`content_cache.Fetcher`: resume with Range, parallel downloads, retries with
backoff and jitter) in namespace a (`bench/_content_fetch_box.py`, a fresh `BlobStore`); between
them `../shared/tools/shaped-link` at 2 Mbit/s, 100 ms each way and 1% loss each way.

Each round, with the same blobs (random bytes from a fixed seed: a few 5–10 MB videos and many
50 KB–1 MB files, published with `edge-hub content publish`):
1. Anchor: plain curl (`--parallel --parallel-max P`, P as the fetcher's, no resume) downloads
   every blob over the same link, without cuts.
2. The fetcher downloads them into an empty store while the link is cut (`shaped-link cut`,
   then `heal`) N times: each cut starts when the hub's veth has sent a position drawn
   uniformly in 2–96% of the anchor's wire bytes (positions at least 1% apart) and lasts a
   duration drawn uniformly in 1–10 s. Then every stored file is re-hashed.

Goodput = blob bytes / (fetch time − total cut time). The cut time is the link's true down time:
`shaped-link` runs iptables through `bench/_iptables_noted`, which notes when each cut rule took
effect, and a cut lasts from its first rule in to its last rule out (with one end's rules in,
one direction is dropped, which stops TCP as surely). As bounds: from `cut` returning to `heal`
starting (surely down: the lower goodput) and from `cut` starting to `heal` returning (maybe
down: the higher). Re-sent bytes per cut:
the box's received bytes beyond the blob sizes, and the hub's veth bytes beyond the anchor's.

The fetcher runs with the box's own settings (edge/settings.py, `[content]`): a download that
receives nothing for `stall_seconds` (3 s) resumes with Range on a new connection at once (shorter
cuts ride on TCP's retransmissions); a connection not made in `connect_timeout_seconds` (3.5 s:
SYNs go at 0, 1 and 3 s) counts as a failure, and failures in a row wait 0.5 s · 2^(n-1), at
most 4 s, with full jitter (`FetchRules`), so a blob's six attempts cannot run out inside a 10 s
cut.
`--sock-read`, `--sock-connect`, `--backoff-min` and `--backoff-max` try other values.

Run as root: `.venv/bin/python bench/content_fetch.py [--quick] [--rounds N] [--parallel P]`
(needs iproute2, iptables, ethtool, curl). `--rcvbuf B` sets the box's SO_RCVBUF, which caps
the bytes in flight (and so what a cut loses).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._shaped import BIN, Cut, cut_during, in_link, link_up, running_hub, shaped
from content_cache import FetchRules
from edge.settings import ContentSettings

REPO = Path(__file__).resolve().parents[1]
LINK = "edgefetch"
PORT = 8444
BOX = REPO / "bench" / "_content_fetch_box.py"
KB, MB = 1000, 1000 * 1000
FITS = 1448 / 1514  # TCP payload per Ethernet frame at MTU 1500 with timestamps


@dataclass(frozen=True)
class Blob:
    name: str
    sha256: str
    size: int


def in_namespace(side: str, *command: str) -> list[str]:
    return in_link(LINK, side, *command)


def wire() -> dict[str, int]:
    stats = json.loads(shaped("stats", LINK))
    return {
        "hub_to_box_bytes": int(stats["b_to_a"]["tx_bytes"]),
        "box_to_hub_bytes": int(stats["a_to_b"]["tx_bytes"]),
        "shaper_lost_packets": int(stats["b_to_a"]["shaper_lost"])
        + int(stats["a_to_b"]["shaper_lost"]),
    }


def hub_retransmits() -> int:
    """TCP segments the hub's kernel retransmitted (RetransSegs of namespace b)."""
    lines = subprocess.run(
        in_namespace("b", "cat", "/proc/net/snmp"), check=True, capture_output=True, text=True
    ).stdout.splitlines()
    names, values = (line.split() for line in lines if line.startswith("Tcp:"))
    return int(dict(zip(names, values, strict=True))["RetransSegs"])


def counters() -> dict[str, int]:
    return {**wire(), "hub_retransmitted_segments": hub_retransmits()}


def since(before: dict[str, int]) -> dict[str, int]:
    return {key: value - before[key] for key, value in counters().items()}


def make_blobs(folder: Path, quick: bool, seed: int) -> list[Blob]:
    """Videos of 5–10 MB and files of 50 KB–1 MB (MB = 10^6 bytes), in a shuffled order."""
    rng = random.Random(seed)
    videos, total = (1, 10 * MB) if quick else (4, 50 * MB)
    sizes = [rng.randint(5 * MB, 10 * MB) for _ in range(videos)]
    while sum(sizes) < total:
        sizes.append(rng.randint(50 * KB, 1 * MB))
    rng.shuffle(sizes)
    return write_blobs(folder, sizes, rng)


def write_blobs(folder: Path, sizes: list[int], rng: random.Random) -> list[Blob]:
    """A lesson file of random bytes for each size, in a new `folder`."""
    folder.mkdir(parents=True)
    blobs = []
    for n, size in enumerate(sizes):
        name = f"{n:02d}-{'video.mp4' if size >= 5 * MB else 'sheet.pdf'}"
        data = rng.randbytes(size)
        (folder / name).write_bytes(data)
        blobs.append(Blob(name, hashlib.sha256(data).hexdigest(), size))
    return blobs


def publish(hub: Path, lessons: Path, blobs: list[Blob]) -> None:
    edge_hub = [str(BIN / "edge-hub"), "--data-dir", str(hub)]
    subprocess.run([*edge_hub, "content", "publish", str(lessons)], check=True,
                   capture_output=True)  # fmt: skip
    listed = subprocess.run([*edge_hub, "content", "list"], check=True, capture_output=True,
                            text=True).stdout  # fmt: skip
    if len(listed.splitlines()) != len(blobs):
        raise RuntimeError(f"the hub lists {len(listed.splitlines())} entries, not {len(blobs)}")
    for blob in blobs:
        if not (hub / "blobs" / blob.sha256[:2] / blob.sha256[2:4] / blob.sha256).is_file():
            raise RuntimeError(f"the hub holds no blob for {blob.name}")


def anchor(hub_url: str, blobs: list[Blob], parallel: int) -> dict[str, Any]:
    """Plain curl, P transfers at once, no cuts: the same blobs over the same link."""
    command = ["curl", "--silent", "--show-error", "--fail", "--parallel",
               "--parallel-max", str(parallel), "--write-out", "%{size_download}\\n"]  # fmt: skip
    for blob in blobs:
        command += ["--output", "/dev/null", f"{hub_url}/v1/blobs/{blob.sha256}"]
    before, started = counters(), time.monotonic()
    out = subprocess.run(in_namespace("a", *command), check=True, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    received = sum(int(line) for line in out.stdout.split())
    total = sum(blob.size for blob in blobs)
    if received != total:
        raise RuntimeError(f"curl received {received} bytes of {total}")
    return {"elapsed": elapsed, "bytes": received, **since(before)}


def plan_cuts(rng: random.Random, count: int, wire_bytes: int) -> list[Cut]:
    """`count` positions uniform in 2–96% of `wire_bytes`, at least 1% apart; 1–10 s each."""
    while True:
        spots = sorted(rng.uniform(0.02, 0.96) for _ in range(count))
        if all(b - a >= 0.01 for a, b in itertools.pairwise(spots)):
            break
    return [Cut(int(spot * wire_bytes), rng.uniform(1.0, 10.0)) for spot in spots]


def fetch_with_cuts(
    args: argparse.Namespace, hub_url: str, folder: Path, blobs: list[Blob], cuts: list[Cut]
) -> dict[str, Any]:
    """The box's fetcher in namespace a, the link cut at the planned moments meanwhile."""
    options = (
        "--parallel", str(args.parallel),
        "--sock-connect", str(args.sock_connect), "--sock-read", str(args.sock_read),
        "--backoff-min", str(args.backoff_min), "--backoff-max", str(args.backoff_max),
        "--rounds", str(args.fetch_rounds), "--rcvbuf", str(args.rcvbuf),
    )  # fmt: skip
    before = counters()
    result = box_with_cuts(LINK, hub_url, folder, blobs, cuts, *options)
    result["link"] = since(before)
    return result


def box_with_cuts(
    link: str,
    hub_url: str,
    folder: Path,
    blobs: list[Blob],
    cuts: list[Cut],
    *options: str,
    timeout: float = 3600,
) -> dict[str, Any]:
    """`_content_fetch_box.py` in namespace a of `link`, fetching `blobs` into `folder/store`,
    while the link is cut as planned; what it printed, its last warnings and the cuts that fell
    (`cut_during`)."""
    (folder / "wanted.json").write_text(json.dumps([[b.sha256, b.size] for b in blobs]))
    command = in_link(
        link, "a", sys.executable, str(BOX), "--hub", hub_url,
        "--wanted", str(folder / "wanted.json"), "--store", str(folder / "store"), *options,
    )  # fmt: skip
    box = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        done = cut_during(link, box, cuts)
        out, err = box.communicate(timeout=timeout)
    finally:
        if box.poll() is None:
            box.kill()
            box.wait()
    if box.returncode != 0:
        raise RuntimeError(f"the box's fetch failed: {err.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(out)
    result["warnings"] = err.strip().splitlines()[-5:]
    result["cuts"] = done
    return result


def resume_delays(samples: list[list[float]], cuts: list[dict[str, float]]) -> list[float]:
    """Per cut: from `heal` returning to the first sample with more bytes stored than before."""
    delays = []
    for cut in cuts:
        held = max((b for t, b in samples if t <= cut["heal_start"]), default=0)
        after = [t for t, b in samples if t > cut["heal_start"] and b > held]
        delays.append(max(0.0, after[0] - cut["heal_end"]) if after else float("nan"))
    return delays


def figures(
    rate_bits: float, blobs: int, anchored: dict[str, Any], fetched: dict[str, Any]
) -> dict[str, Any]:
    """The round's figures from its raw measurements."""
    cuts = fetched["cuts"]
    down = sum(c["up_at"] - c["down_from"] for c in cuts)
    surely_down = sum(c["heal_start"] - c["cut_end"] for c in cuts)
    maybe_down = sum(c["heal_end"] - c["cut_start"] for c in cuts)
    elapsed, total = fetched["elapsed"], fetched["bytes_total"]
    goodput = total * 8 / (elapsed - down)
    anchor_bits = anchored["bytes"] * 8 / anchored["elapsed"]
    count = max(len(cuts), 1)
    delays = resume_delays(fetched.pop("samples"), cuts)
    link, anchor_link = fetched["link"], anchored
    return {
        "blob_bytes": total,
        "blobs": blobs,
        "blobs_verified": fetched["verified"],
        "blobs_failed": fetched["bad"],
        "fetch_rounds": fetched["rounds"],
        "items_failed_in_rounds": fetched["items_failed_in_rounds"],
        "cuts": len(cuts),
        "cut_seconds_down": down,
        "each_cut_down_s": [round(c["up_at"] - c["down_from"], 2) for c in cuts],
        "cut_seconds_surely_down": surely_down,
        "cut_seconds_maybe_down": maybe_down,
        "elapsed_seconds": elapsed,
        "goodput_bit_s": goodput,
        "goodput_of_rate": goodput / rate_bits,
        "goodput_of_fits": goodput / (rate_bits * FITS),
        "goodput_surely_down_bit_s": total * 8 / (elapsed - surely_down),
        "goodput_maybe_down_bit_s": total * 8 / (elapsed - maybe_down),
        "plain_bit_s": total * 8 / elapsed,
        "anchor_seconds": anchored["elapsed"],
        "anchor_bit_s": anchor_bits,
        "anchor_of_rate": anchor_bits / rate_bits,
        "goodput_to_anchor": goodput / anchor_bits,
        "requests": fetched["requests"],
        "resumed_requests": fetched["resumed_requests"],
        "request_errors": len(fetched["request_errors"]),
        "resume_delay_median_s": statistics.median(delays) if delays else 0.0,
        "resume_delay_max_s": max(delays, default=0.0),
        "resume_delays_s": [round(d, 2) for d in delays],
        "resent_box_bytes_per_cut": (fetched["bytes_received"] - total) / count,
        "hub_wire_bytes": link["hub_to_box_bytes"],
        "hub_wire_over_blobs_per_cut": (link["hub_to_box_bytes"] - total) / count,
        "anchor_hub_wire_bytes": anchor_link["hub_to_box_bytes"],
        "hub_wire_over_anchor_per_cut": (link["hub_to_box_bytes"] - anchor_link["hub_to_box_bytes"])
        / count,
        "retransmitted_segments": link["hub_retransmitted_segments"],
        "anchor_retransmitted_segments": anchor_link["hub_retransmitted_segments"],
        "retransmitted_over_anchor_per_cut": (
            link["hub_retransmitted_segments"] - anchor_link["hub_retransmitted_segments"]
        )
        / count,
        "shaper_lost_packets": link["shaper_lost_packets"],
        "anchor_shaper_lost_packets": anchor_link["shaper_lost_packets"],
        "box_warnings": fetched["warnings"],
        "last_error": fetched["last_error"],
    }


def rate_bits(rate: str) -> float:
    units = {"kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "bit": 1.0}
    for unit, factor in units.items():
        if rate.endswith(unit):
            return float(rate.removesuffix(unit)) * factor
    raise ValueError(f"rate {rate!r}: use e.g. 2mbit")


def one_round(
    args: argparse.Namespace, folder: Path, blobs: list[Blob], hub_url: str, n: int
) -> dict[str, Any]:
    print(f"round {n + 1}: anchor (curl, no cuts)…", file=sys.stderr, flush=True)
    anchored = anchor(hub_url, blobs, args.parallel)
    print(f"  {anchored['elapsed']:.1f} s", file=sys.stderr, flush=True)
    rng = random.Random(args.seed * 1000 + n)
    cuts = plan_cuts(rng, args.cuts, anchored["hub_to_box_bytes"])
    round_dir = folder / f"round-{n}"
    round_dir.mkdir()
    print(f"round {n + 1}: the fetcher, {len(cuts)} cuts…", file=sys.stderr, flush=True)
    fetched = fetch_with_cuts(args, hub_url, round_dir, blobs, cuts)
    result = figures(rate_bits(args.rate), len(blobs), anchored, fetched)
    result["planned_cut_seconds"] = [round(cut.seconds, 2) for cut in cuts]
    print(json.dumps(result), file=sys.stderr, flush=True)  # kept should a later round fail
    print(
        f"  {result['elapsed_seconds']:.1f} s, {result['cut_seconds_down']:.1f} s cut: "
        f"goodput {result['goodput_bit_s'] / 1e6:.3f} Mbit/s "
        f"({result['goodput_of_rate']:.1%} of the rate, "
        f"{result['goodput_to_anchor']:.3f}× curl), "
        f"{result['blobs_verified']}/{len(blobs)} verified",
        file=sys.stderr,
        flush=True,
    )
    return result


def read(path: str) -> str:
    return Path(path).read_text().strip()


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    blobs = make_blobs(folder / "lessons", args.quick, args.seed)
    publish(folder / "hub", folder / "lessons", blobs)
    load_before = os.getloadavg()
    with link_up(LINK, args.rate, args.delay, args.loss) as ip_b:
        congestion = subprocess.run(
            in_namespace("b", "cat", "/proc/sys/net/ipv4/tcp_congestion_control"),
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        with running_hub(LINK, folder / "hub", ip_b, PORT) as hub_url:
            rounds = [one_round(args, folder, blobs, hub_url, n) for n in range(args.rounds)]
    keys = [key for key, value in rounds[0].items() if isinstance(value, int | float)]
    return {
        "link": {"rate": args.rate, "delay_each_way": args.delay, "loss_each_way": args.loss},
        "tcp_congestion_control": {
            "root": read("/proc/sys/net/ipv4/tcp_congestion_control"),
            "hub_namespace": congestion,
        },
        "fetch_rules": {
            "parallel": args.parallel,
            "attempts": 6,
            "backoff_min_seconds": args.backoff_min,
            "backoff_max_seconds": args.backoff_max,
        },
        "box_so_rcvbuf": args.rcvbuf or "autotuning",
        "aiohttp_timeout": {
            "total": None,
            "sock_connect": args.sock_connect,
            "sock_read": args.sock_read,
        },
        "blobs": {
            "count": len(blobs),
            "bytes": sum(b.size for b in blobs),
            "videos": sum(b.size >= 5 * MB for b in blobs),
            "largest": max(b.size for b in blobs),
            "smallest": min(b.size for b in blobs),
        },
        "load_average_before_after": [load_before[0], os.getloadavg()[0]],
        "median": {key: statistics.median(r[key] for r in rounds) for key in keys},
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~10 MB and 5 cuts, not ~50 MB")
    parser.add_argument("--rounds", type=int, default=1, help="anchor + fetch pairs")
    parser.add_argument("--cuts", type=int, help="default 20 (5 with --quick)")
    parser.add_argument("--parallel", type=int, default=2)
    box = ContentSettings()  # the box's own values, unless asked otherwise
    parser.add_argument("--sock-connect", type=float, default=box.connect_timeout_seconds)
    parser.add_argument("--sock-read", type=float, default=box.stall_seconds)
    retry = FetchRules()
    parser.add_argument("--backoff-min", type=float, default=retry.backoff_min_seconds)
    parser.add_argument("--backoff-max", type=float, default=retry.backoff_max_seconds)
    parser.add_argument("--fetch-rounds", type=int, default=1,
                        help="Fetcher.run calls at most, if blobs failed")  # fmt: skip
    parser.add_argument("--rcvbuf", type=int, default=0,
                        help="the box's SO_RCVBUF (0: autotuning, as the box does)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--rate", default="2mbit")
    parser.add_argument("--delay", default="100ms")
    parser.add_argument("--loss", default="1%")
    args = parser.parse_args()
    if args.cuts is None:
        args.cuts = 5 if args.quick else 20
    with tempfile.TemporaryDirectory(prefix="edge-fetch-bench-") as folder:
        print(json.dumps(run(args, Path(folder)), indent=2))


if __name__ == "__main__":
    main()
