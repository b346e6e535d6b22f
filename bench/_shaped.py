"""What the benches over `../shared/tools/shaped-link` share: running it, commands in one of a
link's two namespaces, and waiting for a server listening inside one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
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
