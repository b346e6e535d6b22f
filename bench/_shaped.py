"""What the benches over `../shared/tools/shaped-link` share: running it, commands in one of a
link's two namespaces, waiting for a server listening inside one, and the hub in namespace b."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHAPED_LINK = os.environ.get("SHAPED_LINK", str(REPO.parent / "shared" / "tools" / "shaped-link"))


def shaped(*args: str) -> str:
    return subprocess.run([SHAPED_LINK, *args], check=True, capture_output=True, text=True).stdout


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


def start_hub(link: str, data_dir: Path, ip: str, port: int) -> subprocess.Popen[bytes]:
    """`edge-hub run` in namespace b of `link`, returned once it listens on `ip`:`port`."""
    command = [str(BIN / "edge-hub"), "--data-dir", str(data_dir), "run",
               "--host", ip, "--port", str(port)]  # fmt: skip
    hub = subprocess.Popen(
        in_link(link, "b", *command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_listener(link, "b", ip, port)
    except BaseException:
        stop_hub(hub)
        raise
    return hub


def stop_hub(hub: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, then SIGKILL: the hub gives answers still under way 10 s, and one to a box that
    went away during a cut may still be sending."""
    if hub is None:
        return
    hub.terminate()
    try:
        hub.wait(timeout=15)
    except subprocess.TimeoutExpired:
        hub.kill()
        hub.wait()
