"""The demo's central hub: a real `edge-hub` process beside the demo box, so the demo shows
diary sync end to end, and an IT technician can cut the link by stopping it."""

from __future__ import annotations

import contextlib
import ctypes
import io
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from edge.cli._demo_lessons import GRADES, write_sample_lessons
from sync.hub._cli import main as hub_main

SCHOOL = "demo"


@dataclass(frozen=True)
class DemoHub:
    url: str
    data_dir: Path
    port: int
    token: str

    @property
    def command(self) -> str:
        """How to start it again by hand (after cutting the link)."""
        return f"edge-hub --data-dir {self.data_dir} run --port {self.port}"


def _die_with_parent() -> None:
    """Linux: the hub gets SIGTERM when the demo dies, even by SIGKILL (PR_SET_PDEATHSIG)."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def _hub(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sync.hub", "--data-dir", str(data_dir), *args]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1):
            return True
    except OSError:
        return False


def _publish_samples(data_dir: Path) -> None:
    """In this process, before the hub starts: quick, so the hub's port stays free meanwhile."""
    for subject, package in write_sample_lessons(data_dir / "sample-lessons"):
        argv = ["--data-dir", str(data_dir), "content", "publish", str(package)]
        with contextlib.redirect_stdout(io.StringIO()):
            code = hub_main([*argv, "--subject", subject, "--grades", GRADES])
        if code:
            raise RuntimeError(f"the demo hub could not publish {package}")


@contextlib.contextmanager
def demo_hub(data_dir: Path, port: int) -> Iterator[DemoHub]:
    """A hub with the demo school, its sample lessons and a fresh enrollment token, serving on
    `port`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    schools = subprocess.run(_hub(data_dir, "schools", "list"), capture_output=True, text=True)
    if not schools.stdout.startswith(f"{SCHOOL}\t"):
        subprocess.run(_hub(data_dir, "schools", "add", SCHOOL, "Demo School"), check=True)
    _publish_samples(data_dir)
    token = subprocess.run(
        _hub(data_dir, "tokens", "create", "--school", SCHOOL),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    url = f"http://127.0.0.1:{port}"
    with (data_dir / "hub.log").open("ab") as log:
        process = subprocess.Popen(
            _hub(data_dir, "run", "--port", str(port)),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    try:
        deadline = time.monotonic() + 30
        while process.poll() is None and not _answers(url) and time.monotonic() < deadline:
            time.sleep(0.1)
        if process.poll() is not None or not _answers(url):  # e.g. the port was taken
            raise RuntimeError(f"the demo hub did not start: see {data_dir / 'hub.log'}")
        yield DemoHub(url, data_dir, port, token)
    finally:
        process.terminate()
        process.wait(timeout=10)
