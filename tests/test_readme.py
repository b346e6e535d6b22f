"""The README's walk-through runs, as written, against a real demo box."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
MONDAY = "2026-11-23"


def walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- walkthrough:.*?-->\n```sh\n(.*?)```", text, re.DOTALL)
    assert found is not None, "the README lost its walk-through block"
    return found.group(1)


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the demo box exited"
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_readme_walkthrough_works(tmp_path: Path, unused_tcp_port: int) -> None:
    data = tmp_path / "box"
    demo = [
        sys.executable,
        "-m",
        "edge.cli",
        "demo",
        "--port",
        str(unused_tcp_port),
        "--today",
        MONDAY,
        "--data-dir",
        str(data),
    ]
    box = subprocess.Popen(demo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{unused_tcp_port}"
    try:
        _wait_for(f"{base}/healthz", box)
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough()],
            cwd=tmp_path,
            env={**os.environ, "BOX": base},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    finally:
        box.send_signal(signal.SIGTERM)
        assert box.wait(timeout=20) == 0
    with sqlite3.connect(data / "edge.db") as conn:
        assert conn.execute("SELECT status, note FROM attendance").fetchall() == [
            ("late", "bus was late")
        ]
        assert conn.execute("SELECT value, comment FROM marks").fetchall() == [
            (5, "clear explanation")
        ]
        assert conn.execute("SELECT due_date FROM homework").fetchall() == [("2026-11-25",)]
