"""Reader simulators over a real pty (read with pyserial) and over TCP (asyncio streams)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import serial

from devices.readers import (
    LineCodec,
    Pn532Codec,
    Rdm6300Codec,
    WiegandFormat,
    WiegandSerialCodec,
    rdm6300_frame,
)
from devices.readers.pn532 import ACK, NACK, WAKE_UP, pn532_frame
from devices.simulators import (
    ERROR_FRAME,
    LineReaderSimulator,
    Pn532Simulator,
    PtyLink,
    Rdm6300Simulator,
    TcpLink,
    WiegandSimulator,
)
from tests._device_records import fixture_record

WORKED_EXAMPLE = bytes.fromhex("02 30 46 30 30 32 41 31 42 33 43 30 32 03")  # DEVICES.md


async def read_port(port: serial.Serial, size: int, within: float = 2.0) -> bytes:
    """Up to `size` bytes from a non-blocking pyserial port, without blocking the loop."""
    got = bytearray()
    deadline = time.monotonic() + within
    while len(got) < size and time.monotonic() < deadline:
        got += port.read(size - len(got))
        await asyncio.sleep(0.005)
    return bytes(got)


async def read_all(port: serial.Serial, quiet_for: float = 0.15) -> bytes:
    """Whatever arrives until the line stays quiet for `quiet_for` seconds."""
    got = bytearray()
    while chunk := await read_port(port, 4096, within=quiet_for):
        got += chunk
    return bytes(got)


def symlink_target(path: str) -> str | None:
    return os.readlink(path) if os.path.lexists(path) else None


@pytest.fixture
async def tcp_reader() -> AsyncIterator[list[asyncio.StreamWriter]]:
    """Collects the client writers a test opens and closes them at the end."""
    writers: list[asyncio.StreamWriter] = []
    yield writers
    for writer in writers:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def connect(link: TcpLink, writers: list[asyncio.StreamWriter]) -> asyncio.StreamReader:
    reader, writer = await asyncio.open_connection("127.0.0.1", link.port)
    writers.append(writer)
    return reader


# --- RDM6300 -----------------------------------------------------------------------------------


async def test_rdm6300_over_pty_repeats_the_exact_frame_while_present(tmp_path: Path) -> None:
    link = PtyLink(tmp_path / "by-id" / "usb-rdm6300-if00-port0")
    async with Rdm6300Simulator(link, repeat_interval=0.05) as sim:
        assert sim.address == str(link.link_path)
        with serial.Serial(sim.address, 9600, timeout=0) as port:
            sim.present("0F002A1B3C")
            started = time.monotonic()
            data = await read_port(port, 3 * len(WORKED_EXAMPLE))
            assert data == WORKED_EXAMPLE * 3
            assert time.monotonic() - started >= 0.09  # three frames take two intervals
            assert Rdm6300Codec().feed(data, 0.0).uids == ["0002759484"] * 3
            assert sim.frames_sent >= 3
            assert sim.last_byte_at is not None and started < sim.last_byte_at < time.monotonic()
            sim.remove()
            await read_all(port)
            assert await read_all(port) == b""


async def test_rdm6300_over_tcp(tcp_reader: list[asyncio.StreamWriter]) -> None:
    async with Rdm6300Simulator(TcpLink(), repeat_interval=0.05) as sim:
        assert isinstance(sim.link, TcpLink)
        assert sim.address == f"socket://127.0.0.1:{sim.link.port}"
        reader = await connect(sim.link, tcp_reader)
        sim.present("0700673158")
        frame = rdm6300_frame("0700673158")
        assert await asyncio.wait_for(reader.readexactly(2 * len(frame)), 2) == frame * 2
        assert sim.frames_sent >= 2


async def test_noise_is_seeded_random_bytes_and_no_card() -> None:
    async with Rdm6300Simulator(PtyLink(), seed=7) as sim:
        with serial.Serial(sim.address, 9600, timeout=0) as port:
            sim.send_noise(3000)
            sim.send_raw(WORKED_EXAMPLE)
            data = await read_port(port, 3000 + len(WORKED_EXAMPLE))
    assert data == random.Random(7).randbytes(3000) + WORKED_EXAMPLE
    assert Rdm6300Codec().feed(data, 0.0).uids == ["0002759484"]
    assert sim.frames_sent == 1  # noise is not a frame


async def test_pty_unplug_fails_reads_and_replug_repoints_the_link(tmp_path: Path) -> None:
    link = PtyLink(tmp_path / "by-id" / "usb-reader")
    async with Rdm6300Simulator(link) as sim:
        first_slave = link.slave_path
        assert symlink_target(sim.address) == first_slave
        with serial.Serial(sim.address, 9600, timeout=0) as port:
            await sim.unplug()
            with pytest.raises(serial.SerialException):
                port.read(1)
        assert symlink_target(sim.address) is None  # gone, as udev removes it
        await sim.replug()
        assert link.slave_path != first_slave
        assert symlink_target(sim.address) == link.slave_path
        with serial.Serial(sim.address, 9600, timeout=0) as port:
            sim.present("0F002A1B3C")
            assert await read_port(port, len(WORKED_EXAMPLE)) == WORKED_EXAMPLE


async def test_tcp_unplug_drops_and_refuses_replug_accepts(
    tcp_reader: list[asyncio.StreamWriter],
) -> None:
    async with Rdm6300Simulator(TcpLink()) as sim:
        assert isinstance(sim.link, TcpLink)
        reader = await connect(sim.link, tcp_reader)
        await asyncio.sleep(0.01)
        await sim.unplug()
        with contextlib.suppress(ConnectionResetError):  # a reset, or a plain end of stream
            assert await asyncio.wait_for(reader.read(100), 2) == b""
        with pytest.raises(ConnectionRefusedError):
            await connect(sim.link, tcp_reader)
        await sim.replug()
        reader = await connect(sim.link, tcp_reader)
        await asyncio.sleep(0.01)
        sim.present("0F002A1B3C")
        assert await asyncio.wait_for(reader.readexactly(14), 2) == WORKED_EXAMPLE


async def test_tcp_serves_one_client_at_a_time(tcp_reader: list[asyncio.StreamWriter]) -> None:
    async with LineReaderSimulator(TcpLink()) as sim:
        assert isinstance(sim.link, TcpLink)
        first = await connect(sim.link, tcp_reader)
        await asyncio.sleep(0.01)
        second = await connect(sim.link, tcp_reader)
        assert await asyncio.wait_for(second.read(100), 2) == b""
        sim.present("04:A1:B2:C3")
        line = await asyncio.wait_for(first.readuntil(b"\n"), 2)
        assert line == b"04:A1:B2:C3\r\n"
        assert LineCodec().feed(line, 0.0).uids == ["04:A1:B2:C3"]


# --- line readers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "line"),
    [
        ("hex", b"5A0144\r"),
        ("decimal", b"0005898564\r\n"),
        ("bits", b"00101101000000001010001000\r\n"),
    ],
)
async def test_wiegand_converter_over_pty(fmt: WiegandFormat, line: bytes) -> None:
    async with WiegandSimulator(PtyLink(), fmt) as sim:
        with serial.Serial(sim.address, 9600, timeout=0) as port:
            sim.present("0005898564")
            data = await read_port(port, len(line))
            assert data == line
            assert WiegandSerialCodec(sim.fmt).feed(data, 0.0).uids == ["0005898564"]
            sim.remove()
            assert await read_all(port) == b""
    assert sim.frames_sent == 1


def test_simulators_refuse_cards_their_protocol_cannot_carry() -> None:
    with pytest.raises(ValueError, match="2\\*\\*24"):
        WiegandSimulator(TcpLink()).present("16777216")
    with pytest.raises(ValueError, match="4, 7 or 10"):
        Pn532Simulator(TcpLink()).present("04A1B2")
    with pytest.raises(ValueError, match="10 hex"):
        Rdm6300Simulator(TcpLink()).present("2759484")


# --- PN532 -------------------------------------------------------------------------------------


def pn532_bytes(name: str) -> bytes:
    return fixture_record("pn532-hsu-frames.txt", name).hex()


async def test_pn532_chip_answers_with_the_exact_bytes_over_pty() -> None:
    async with Pn532Simulator(PtyLink()) as sim:
        with serial.Serial(sim.address, 115200, timeout=0) as port:
            get_firmware_version = pn532_frame(b"\xd4\x02")
            port.write(get_firmware_version)
            assert await read_all(port) == b""  # asleep: no wake-up yet
            port.write(WAKE_UP + get_firmware_version)
            assert await read_all(port) == pn532_bytes("rsp-getfirmwareversion")
            port.write(pn532_frame(bytes.fromhex("D4 14 01 14 01")))
            assert await read_all(port) == ACK + bytes.fromhex("00 00 FF 02 FE D5 15 16 00")
            port.write(pn532_bytes("cmd-inlistpassivetarget-106A"))
            assert await read_all(port) == pn532_bytes("rsp-no-target")
            sim.present("0416C6C2D73881")
            port.write(pn532_bytes("cmd-inlistpassivetarget-106A"))
            assert await read_all(port) == pn532_bytes("rsp-type2-tag-7byte-uid")
            port.write(NACK)
            assert await read_all(port) == pn532_bytes("rsp-type2-tag-7byte-uid")[6:]
            port.write(pn532_bytes("cmd-diagnose-123"))
            assert await read_all(port) == ACK + ERROR_FRAME
    assert sim.frames_sent == 1  # the one answer that carried a card
    assert [command[:2] for command in sim.commands] == [
        b"\xd4\x02",
        b"\xd4\x14",
        b"\xd4\x4a",
        b"\xd4\x4a",
        b"\xd4\x00",
    ]


async def drive(
    codec: Pn532Codec, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, within: float
) -> list[str]:
    """Run the host codec the way the runner does (feed, reply, tick) until a card or `within`."""
    uids: list[str] = []
    deadline = time.monotonic() + within
    while not uids and time.monotonic() < deadline:
        try:
            data = await asyncio.wait_for(reader.read(4096), 0.02)
        except TimeoutError:
            data = b""
        now = time.monotonic()
        decoded = codec.feed(data, now)
        uids += decoded.uids
        writer.write(decoded.reply + codec.tick(now))
        await writer.drain()
    return uids


async def test_pn532_host_codec_against_the_chip_over_tcp(
    tcp_reader: list[asyncio.StreamWriter],
) -> None:
    async with Pn532Simulator(TcpLink()) as sim:
        assert isinstance(sim.link, TcpLink)
        reader = await connect(sim.link, tcp_reader)
        writer = tcp_reader[-1]
        codec = Pn532Codec(poll_interval=0.02, timeout=0.1)
        writer.write(codec.start(time.monotonic()))
        assert await drive(codec, reader, writer, within=0.3) == []
        assert sim.awake
        assert sum(command[1] == 0x4A for command in sim.commands) >= 3  # polls, no card
        sim.present("04A1B2C3")
        assert await drive(codec, reader, writer, within=1.0) == ["04A1B2C3"]
        sim.power_cycle()  # asleep again: the codec must wake it up after three timeouts
        sim.present("0416C6C2D73881")
        assert await drive(codec, reader, writer, within=3.0) == ["0416C6C2D73881"]
        assert sum(command[1] == 0x14 for command in sim.commands) == 2
