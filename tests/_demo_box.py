"""A real `edge demo` box in its own process, for tests that need the whole program."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MONDAY = "2026-11-23"


@contextmanager
def demo_box(
    data_dir: Path, port: int, stop: signal.Signals = signal.SIGTERM, hub_port: int | None = None
) -> Iterator[str]:
    """Start the demo on `port`, yield its base URL once it answers, then stop it with `stop`."""
    command = [
        sys.executable,
        "-m",
        "edge.cli",
        "demo",
        "--port",
        str(port),
        "--today",
        MONDAY,
        "--data-dir",
        str(data_dir),
        "--hub-port",
        str(hub_port or free_port()),
    ]
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"{data_dir.name}-output.log"  # what the box said, for a failure
    with log.open("wb") as output:
        box = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz", box, log)
        yield base
    finally:
        box.send_signal(stop)
        code = box.wait(timeout=20)
    if stop is signal.SIGTERM:
        assert code == 0, f"the demo box exited with {code} on SIGTERM"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, box: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if box.poll() is not None:
            said = log.read_text(errors="replace")[-3000:]
            raise AssertionError(f"the demo box exited with {box.returncode}:\n{said}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")
