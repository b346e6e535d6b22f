"""`edge readers`, `edge cards` and `edge devices scan` from the command line."""

from __future__ import annotations

import asyncio
import io
import socket
from pathlib import Path

import pytest
from zeroconf import IPVersion, ServiceInfo, Zeroconf

from edge.cli import main
from edge.db import Database, Tx


def run(data: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return main(["--data-dir", str(data), *args])


def _school(tx: Tx) -> None:
    tx.insert("rooms", {"name": "Room 12"})
    tx.insert(
        "people",
        {
            "sourced_id": "usr-1",
            "role": "student",
            "given_name": "Ana",
            "family_name": "K",
            "username": "ana.k",
        },
    )


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "box"
    assert run(folder, monkeypatch, "init") == 0

    async def seed() -> None:
        async with Database(folder / "edge.db") as db:
            await db.write(_school)

    asyncio.run(seed())
    return folder


def test_readers_add_list_remove(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    door = (
        "readers",
        "add",
        "door-12",
        "--protocol",
        "rdm6300",
        "--serial",
        "/dev/serial/by-id/usb-1a86-if00-port0",
        "--room",
        "Room 12",
    )
    gate = (
        "readers",
        "add",
        "gate",
        "--protocol",
        "wiegand-hex",
        "--tcp",
        "127.0.0.1:4001",
        "--entrance",
        "toggle",
        "--option",
        "stale_after=1.0",
    )
    assert run(data, monkeypatch, *door) == 0
    assert run(data, monkeypatch, *gate) == 0
    assert "at the entrance (toggle)" in capsys.readouterr().out
    assert run(data, monkeypatch, "readers", "list") == 0
    listing = capsys.readouterr().out
    assert "door-12" in listing and "Room 12" in listing and "tcp://127.0.0.1:4001" in listing
    assert run(data, monkeypatch, *door) == 2
    assert "a reader named 'door-12' exists" in capsys.readouterr().err
    bad_room = (*door[:3], "--protocol", "rdm6300", "--serial", "/dev/ttyUSB0", "--room", "Gym")
    assert run(data, monkeypatch, *bad_room[:2], "door-x", *bad_room[3:]) == 2
    assert "no room 'Gym'" in capsys.readouterr().err
    assert run(data, monkeypatch, "readers", "remove", "door-12") == 0
    assert run(data, monkeypatch, "readers", "remove", "door-12") == 2


def test_readers_add_a_keyboard_wedge_reader(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = ("readers", "add", "desk", "--protocol", "wedge", "--room", "Room 12")
    node = "/dev/input/by-id/usb-Reader-event-kbd"
    assert run(data, monkeypatch, *desk, "--input", node) == 0
    assert f"(wedge, {node})" in capsys.readouterr().out
    assert run(data, monkeypatch, *desk[:2], "desk-2", *desk[3:], "--input", "keyboard:") == 0
    assert run(data, monkeypatch, *desk[:2], "x", *desk[3:], "--serial", "/dev/ttyUSB0") == 2
    assert "is not a keyboard input" in capsys.readouterr().err


def test_cards_assign_and_unknown(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(data, monkeypatch, "cards", "unknown") == 0
    assert capsys.readouterr().out.splitlines()[1:] == []
    assert run(data, monkeypatch, "cards", "assign", "04a1b2c3", "ana.k") == 0
    assert "card 04A1B2C3 now belongs to ana.k" in capsys.readouterr().out
    assert run(data, monkeypatch, "cards", "assign", "04a1b2c3", "nobody") == 2
    assert "no person 'nobody'" in capsys.readouterr().err


def test_devices_scan_hears_mdns_peers(capsys: pytest.CaptureFixture[str]) -> None:
    zeroconf = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    info = ServiceInfo(
        "_classedge._tcp.local.",
        "Test Box._classedge._tcp.local.",
        addresses=[socket.inet_aton("127.0.0.1")],
        port=8080,
        server="test-box.local.",
    )
    zeroconf.register_service(info)
    try:
        assert main(["devices", "scan", "--seconds", "2"]) == 0
    finally:
        zeroconf.unregister_service(info)
        zeroconf.close()
    out = capsys.readouterr().out
    assert "Serial ports (register the by-id path):" in out
    assert "Test Box._classedge._tcp.local.  127.0.0.1:8080" in out
