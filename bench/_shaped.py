"""What the benches (and their short versions in tests/) over `../shared/tools/shaped-link`
share: running it, commands in one of a link's two namespaces, waiting for a server listening
inside one, the link and the hub in namespace b for a run, and cuts that fall when the hub has
sent so many bytes."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHAPED_LINK = os.environ.get("SHAPED_LINK", str(REPO.parent / "shared" / "tools" / "shaped-link"))


@dataclass(frozen=True)
class Cut:
    position: int  # bytes the hub's end of the veth has sent since the transfer started
    seconds: float


NOTED_IPTABLES = REPO / "bench" / "_iptables_noted"


def shaped(*args: str, cut_log: Path | None = None) -> str:
    """`shaped-link ARGS`; with `cut_log`, through `_iptables_noted`, which notes in it when each
    cut rule went in or out."""
    env = None
    if cut_log is not None:
        env = {**os.environ, "SHAPED_LINK_IPTABLES": str(NOTED_IPTABLES),
               "SHAPED_CUT_LOG": str(cut_log)}  # fmt: skip
    run = subprocess.run([SHAPED_LINK, *args], check=True, capture_output=True, text=True, env=env)
    return run.stdout


def in_link(link: str, side: str, *command: str) -> list[str]:
    """`command` run in namespace `side` ("a" or "b") of `link`."""
    return [SHAPED_LINK, "exec", link, side, "--", *command]


def wait_for_listener(link: str, side: str, ip: str, port: int, what: str = "the hub") -> None:
    """Probed from inside `side` itself, so the shaped link does not slow the probe down."""
    probe = f"import socket; socket.create_connection(('{ip}', {port}), 1)"
    for _ in range(200):
        ok = subprocess.run(in_link(link, side, sys.executable, "-c", probe), capture_output=True)
        if ok.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


@contextlib.contextmanager
def link_up(link: str, rate: str, delay: str, loss: str) -> Iterator[str]:
    """A shaped link named `link` (a leftover of that name taken down first); the address of its
    namespace b. Taken down afterwards, with whatever still runs in it."""
    subprocess.run([SHAPED_LINK, "down", link], capture_output=True, check=False)
    try:
        _, ip_b = shaped("up", link, "--rate", rate, "--delay", delay, "--loss", loss).split()
        yield ip_b
    finally:
        subprocess.run([SHAPED_LINK, "down", link], capture_output=True, check=False)


@contextlib.contextmanager
def running_hub(link: str, data_dir: Path, ip: str, port: int) -> Iterator[str]:
    """`edge-hub run` in namespace b of `link`, once it listens on `ip`:`port`; its URL."""
    command = [str(BIN / "edge-hub"), "--data-dir", str(data_dir), "run",
               "--host", ip, "--port", str(port)]  # fmt: skip
    hub = subprocess.Popen(
        in_link(link, "b", *command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_listener(link, "b", ip, port)
        yield f"http://{ip}:{port}"
    finally:
        _stop(hub)


def _stop(hub: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL: the hub gives answers still under way 10 s, and one to a box that
    went away during a cut may still be sending."""
    hub.terminate()
    try:
        hub.wait(timeout=15)
    except subprocess.TimeoutExpired:
        hub.kill()
        hub.wait()


def sent(link: str, side: str = "b") -> int:
    """Bytes `side`'s end of the veth has sent (every frame, cut or lost ones included)."""
    out = subprocess.run(
        ["ip", "-n", f"{link}-{side}", "-j", "-s", "link", "show", "veth0"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return int(json.loads(out)[0]["stats64"]["tx"]["bytes"])


def wait_until_sent(
    link: str, transfer: subprocess.Popen[str], side: str, total: int, poll_seconds: float = 0.1
) -> bool:
    """Wait until `side`'s end has sent `total` bytes in all (False: `transfer` ended first)."""
    while transfer.poll() is None and sent(link, side) < total:
        time.sleep(poll_seconds)
    return transfer.poll() is None


def cut_during(
    link: str, transfer: subprocess.Popen[str], cuts: list[Cut], poll_seconds: float = 0.1
) -> list[dict[str, float]]:
    """Cut `link` at each planned position (bytes the hub's side sent since the call) for its
    time while `transfer` runs. For each cut that fell before it ended, on time.monotonic():
    when `cut` started and returned, when `heal` started and returned, and when the link was
    down in truth: from the first cut rule in (one way down stops TCP) to the last one out."""
    done: list[dict[str, float]] = []
    before = sent(link, "b")
    with tempfile.TemporaryDirectory(prefix="shaped-cuts-") as folder:
        log = Path(folder) / "rules.log"
        for cut in cuts:
            if not wait_until_sent(link, transfer, "b", before + cut.position, poll_seconds):
                break
            cut_start = time.monotonic()
            shaped("cut", link, cut_log=log)
            cut_end = time.monotonic()
            time.sleep(cut.seconds)
            heal_start = time.monotonic()
            shaped("heal", link, cut_log=log)
            done.append({"cut_start": cut_start, "cut_end": cut_end, "heal_start": heal_start,
                         "heal_end": time.monotonic(), **_down(log)})  # fmt: skip
            log.unlink()
    return done


def _down(log: Path) -> dict[str, float]:
    """The first rule in and the last out, in the log's unix times, on time.monotonic()."""
    notes = [line.split() for line in log.read_text().splitlines()]
    ins = [float(note[0]) for note in notes if note[1] == "-I"]
    outs = [float(note[0]) for note in notes if note[1] == "-D"]
    if len(ins) != 4 or len(outs) != 4:  # two rules at each end
        raise RuntimeError(f"shaped-link's cut rules, as noted: {notes}")
    to_monotonic = time.monotonic() - time.time()
    return {"down_from": min(ins) + to_monotonic, "up_at": max(outs) + to_monotonic}
