"""`edge run` under a systemd-like supervisor: readiness, watchdog, clean stop; the unit file."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNIT = REPO / "systemd" / "classroom-edge.service"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _receive(sock: socket.socket, wanted: str, timeout: float = 20) -> list[str]:
    messages: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            messages.append(sock.recv(4096).decode())
        except TimeoutError:
            break
        if any(wanted in m for m in messages):
            return messages
    raise AssertionError(f"no {wanted!r} from the box; got {messages}")


def test_run_notifies_ready_pings_watchdog_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    config = tmp_path / "edge.toml"
    config.write_text(
        f'[box]\ndata_dir = "{tmp_path / "data"}"\n[http]\nhost = "127.0.0.1"\nport = {port}\n',
        encoding="utf-8",
    )
    edge = [sys.executable, "-m", "edge.cli", "--config", str(config)]
    subprocess.run([*edge, "init"], check=True, capture_output=True)
    notify_path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(notify_path))
        env = {**os.environ, "NOTIFY_SOCKET": str(notify_path), "WATCHDOG_USEC": "400000"}
        process = subprocess.Popen([*edge, "run"], env=env, stderr=subprocess.PIPE)
        try:
            ready = _receive(sock, "READY=1")
            assert any(f"STATUS=serving on http://127.0.0.1:{port}" in m for m in ready)
            _receive(sock, "WATCHDOG=1")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                assert answer.status == 200
            process.send_signal(signal.SIGTERM)
            _receive(sock, "STOPPING=1")
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            assert process.stderr is not None
            process.stderr.close()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_unit_file_verifies(tmp_path: Path) -> None:
    edge = shutil.which("edge") or str(Path(sys.executable).parent / "edge")
    unit = tmp_path / UNIT.name
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/classroom-edge/venv/bin/edge", edge),
        encoding="utf-8",
    )
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_unit_file_has_the_promised_hardening() -> None:
    text = UNIT.read_text(encoding="utf-8")
    for line in (
        "Type=notify",
        "WatchdogSec=",
        "Restart=on-failure",
        "StateDirectory=classroom-edge",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "User=classroom-edge",
        " run",
    ):
        assert line in text, line
