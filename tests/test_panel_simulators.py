"""Panel simulators speak the exact bytes of DEVICES.md over a pty (pyserial) or TCP, quirks
included, and their state and fault knobs are there for tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import serial

from devices.simulators import (
    LfdSimulator,
    LgSimulator,
    PanelRequest,
    PanelSimulator,
    PrometheanSimulator,
    PtyLink,
    SamsungSimulator,
    SimulatorLink,
    SmartSimulator,
    TcpLink,
)
from tests.test_reader_simulators import read_all, read_port

H = bytes.fromhex
SIMULATORS: dict[str, Callable[..., PanelSimulator]] = {
    "smart": SmartSimulator,
    "promethean": PrometheanSimulator,
    "lfd": LfdSimulator,
    "samsung": SamsungSimulator,
    "lg": LgSimulator,
}
#: protocol → the documented power status query and the answer of a panel that is on
STATUS = {
    "smart": (b"get powerstate\r", b"powerstate=on\r\n>"),
    "promethean": (H("F6 01 02 00 F9 6F"), H("F6 01 02 01 FA 6F")),
    "lfd": (b"801gl000\r", b"801rl001\r"),
    "samsung": (H("AA 11 01 00 12"), H("AA FF 01 03 41 11 01 56")),
    "lg": (b"ka 01 ff\r", b"a 01 OK01x"),
}


def simulator(protocol: str, link: SimulatorLink, **options: Any) -> PanelSimulator:
    if protocol == "samsung":
        options.setdefault("lan_restart_seconds", 0.05)
    return SIMULATORS[protocol](link, **options)


class Client:
    """A TCP client of a simulator, as a panel's LAN port would have."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def ask(self, data: bytes, quiet_for: float = 0.1) -> bytes:
        self.writer.write(data)
        await self.writer.drain()
        return await self.read(quiet_for)

    async def read(self, quiet_for: float = 0.1) -> bytes:
        got = b""
        with contextlib.suppress(TimeoutError):
            while chunk := await asyncio.wait_for(self.reader.read(4096), quiet_for):
                got += chunk
        return got


Connect = Callable[[PanelSimulator], Awaitable[Client]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    writers: list[asyncio.StreamWriter] = []

    async def open_client(sim: PanelSimulator) -> Client:
        assert isinstance(sim.link, TcpLink)
        reader, writer = await asyncio.open_connection("127.0.0.1", sim.link.port)
        writers.append(writer)
        await asyncio.sleep(0.01)
        return Client(reader, writer)

    yield open_client
    for writer in writers:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


@pytest.mark.parametrize("protocol", sorted(SIMULATORS))
async def test_power_status_over_a_pty_is_the_documented_exchange(
    protocol: str, tmp_path: Path
) -> None:
    query, answer = STATUS[protocol]
    async with simulator(protocol, PtyLink(tmp_path / "by-id" / protocol)) as sim:
        sim.power = "on"
        with serial.Serial(sim.address, 9600, timeout=0) as port:
            port.write(query[:3])
            await asyncio.sleep(0.02)  # a command split across reads
            port.write(query[3:])
            assert await read_port(port, len(answer)) == answer
            assert await read_all(port) == b""
    assert sim.requests == [PanelRequest("power", None, query.rstrip(b"\r"))]


@pytest.mark.parametrize("protocol", sorted(SIMULATORS))
async def test_power_status_over_tcp(protocol: str, connect: Connect) -> None:
    query, answer = STATUS[protocol]
    async with simulator(protocol, TcpLink()) as sim:
        client = await connect(sim)
        sim.power = "on"
        assert await client.ask(query) == answer
        sim.power = "standby"
        assert await client.ask(query) != answer  # standby, or nothing from a deaf SMART


SETS = {
    "smart": [(b"set input=hdmi2\r", b"input=hdmi2\r\n>"), (b"set volume=55\r", b"volume=55\r\n>")],
    "promethean": [(H("F6 30 01 0A 31 6F"), b""), (H("F6 0C 01 37 3A 6F"), b"")],
    "lfd": [(b'801s"014\r', b"401+\r"), (b"801s5055\r", b"401+\r")],
    "samsung": [
        (H("AA 14 01 01 23 39"), H("AA FF 01 03 41 14 23 7B")),
        (H("AA 12 01 01 37 4B"), H("AA FF 01 03 41 12 37 8D")),
    ],
    "lg": [(b"xb 01 91\r", b"b 01 OK91x"), (b"kf 01 37\r", b"f 01 OK37x")],
}


@pytest.mark.parametrize("protocol", sorted(SIMULATORS))
async def test_sets_change_the_state_and_are_answered_as_documented(
    protocol: str, connect: Connect
) -> None:
    async with simulator(protocol, TcpLink()) as sim:
        client = await connect(sim)
        sim.power = "on"
        for command, answer in SETS[protocol]:
            assert await client.ask(command) == answer  # Promethean: not a word
        assert (sim.input, sim.volume) == ("hdmi2", 55)
        mute = {"smart": b"set mute=on\r", "lg": b"ke 01 00\r", "lfd": b"801s6001\r"}
        if protocol in mute:
            await client.ask(mute[protocol])
            assert sim.muted


async def test_smart_is_deaf_in_soft_off_and_misses_its_first_power_on(connect: Connect) -> None:
    async with SmartSimulator(TcpLink(), wake_misses=1) as sim:
        client = await connect(sim)
        for deaf_to in (b"get powerstate\r", b"set input=hdmi2\r", b"set powerstate=on\r"):
            assert await client.ask(deaf_to) == b""
        assert sim.power == "standby"
        answer = await client.ask(b"set powerstate=on\r")
        assert answer.startswith(b"powerstate=on\r\n>")
        assert answer.endswith(sim.boot_noise)
        assert await client.ask(b"set input=hdmi9\r") == b"invalid cmd=set input=hdmi9\r\n>"
        sim.power = "standby"
        sim.answers_power_query_in_standby = True
        assert await client.ask(b"get powerstate\r") == b"powerstate=ready\r\n>"


@pytest.mark.parametrize(
    ("protocol", "volume_set", "refusal"),
    [
        ("lfd", b"801s5030\r", b"401-\r"),
        ("samsung", H("AA 12 01 01 1E 32"), H("AA FF 01 03 4E 12 01 64")),
        ("lg", b"kf 01 1e\r", b"f 01 NG01x"),
        ("promethean", H("F6 0C 01 1E 21 6F"), b""),
    ],
)
async def test_in_standby_only_power_is_heard(
    protocol: str, volume_set: bytes, refusal: bytes, connect: Connect
) -> None:
    async with simulator(protocol, TcpLink()) as sim:
        client = await connect(sim)
        assert await client.ask(volume_set) == refusal
        assert sim.volume == 20


async def test_a_transition_is_ignored_or_refused(connect: Connect) -> None:
    async with LgSimulator(TcpLink(), transition_seconds=0.4) as sim:
        client = await connect(sim)
        assert await client.ask(b"ka 01 01\r") == b"a 01 OK01x"
        assert sim.in_transition
        assert await client.ask(b"ka 01 ff\r") == b""
        sim.refuse_in_transition = True
        assert await client.ask(b"ka 01 ff\r") == b"a 01 NG01x"
        await asyncio.sleep(0.4)
        assert await client.ask(b"ka 01 ff\r") == b"a 01 OK01x"


async def test_samsung_restarts_its_lan_port_after_power_on(connect: Connect) -> None:
    async with SamsungSimulator(TcpLink(), lan_restart_seconds=0.3) as sim:
        client = await connect(sim)
        assert await client.ask(H("AA 11 01 01 01 14")) == H("AA FF 01 03 41 11 01 56")
        assert client.reader.at_eof()  # dropped once the acknowledgement was out
        with pytest.raises(ConnectionRefusedError):
            await connect(sim)
        await asyncio.sleep(0.35)
        assert await (await connect(sim)).ask(STATUS["samsung"][0]) == STATUS["samsung"][1]
        assert sim.lan_restarts == 1


async def test_samsung_misses_power_ons_when_told() -> None:
    async with SamsungSimulator(PtyLink(), power_on_misses=2) as sim:
        with serial.Serial(sim.address, 9600, timeout=0) as port:
            for _ in range(2):
                port.write(H("AA 11 01 01 01 14"))
                assert await read_all(port) == b""
            port.write(H("AA 11 01 01 01 14"))
            assert await read_port(port, 8) == H("AA FF 01 03 41 11 01 56")
        assert sim.lan_restarts == 0  # a serial line has no LAN module to restart


async def test_answers_for_another_id_are_not_given(connect: Connect) -> None:
    for protocol, other in (("lfd", b"802gl000\r"), ("samsung", H("AA 11 02 00 13"))):
        async with simulator(protocol, TcpLink()) as sim:
            assert await (await connect(sim)).ask(other) == b""
            assert sim.requests == []
    async with LgSimulator(TcpLink(), panel_id=2) as sim:
        client = await connect(sim)
        assert await client.ask(b"ka 01 ff\r") == b""
        assert await client.ask(b"ka 02 ff\r") == b"a 02 OK00x"


async def test_fault_knobs(connect: Connect) -> None:
    query, answer = STATUS["lfd"]
    async with LfdSimulator(TcpLink()) as sim:
        sim.power = "on"
        client = await connect(sim)
        sim.replies.silent = True
        assert await client.ask(query) == b""
        sim.replies.silent, sim.replies.garbage = False, b"\x00\xfe#"
        assert await client.ask(query) == b"\x00\xfe#" + answer
        sim.replies.garbage, sim.replies.byte_delay = b"", 0.01
        started = time.monotonic()
        assert await client.ask(query, quiet_for=0.2) == answer
        assert time.monotonic() - started >= 0.08
        sim.replies.byte_delay, sim.replies.drop_next_reply = 0.0, True
        assert await client.ask(query) == answer[:4]
        assert client.reader.at_eof()
        assert await (await connect(sim)).ask(query) == answer  # back at once (replug_after=0)
