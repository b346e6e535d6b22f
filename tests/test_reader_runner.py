"""The runner: codec bytes out, taps debounced, unavailable on trouble, back after backoff."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from devices import LinkDown, ReaderRunner, ReaderState, Tap, Timing
from devices.readers import Decoded

FAST = Timing(backoff=(0.01, 0.02, 0.04), jitter=0.0, tick=0.01, debounce=0.3)


class LineCodec:
    """Minimal test codec: one uid per line; asks for nothing but a greeting."""

    def __init__(self) -> None:
        self._buffer = b""

    def start(self, now: float) -> bytes:
        return b"HELLO\n"

    def feed(self, data: bytes, now: float) -> Decoded:
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        return Decoded(uids=[line.decode() for line in lines if line])

    def tick(self, now: float) -> bytes:
        return b""


@dataclass
class FakeLink:
    incoming: asyncio.Queue[bytes | LinkDown] = field(default_factory=asyncio.Queue)
    written: list[bytes] = field(default_factory=list)
    closed: bool = False

    async def read(self) -> bytes:
        item = await self.incoming.get()
        if isinstance(item, LinkDown):
            raise item
        return item

    async def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeTransport:
    """Refuses `refusals` opens (unplugged), then hands out fresh links."""

    refusals: int = 0
    links: list[FakeLink] = field(default_factory=list)
    opened: asyncio.Event = field(default_factory=asyncio.Event)

    async def open(self) -> FakeLink:
        if self.refusals:
            self.refusals -= 1
            raise LinkDown("no such device")
        self.links.append(FakeLink())
        self.opened.set()
        return self.links[-1]

    def describe(self) -> str:
        return "fake"


async def run_runner(
    transport: FakeTransport,
) -> tuple[asyncio.Task[None], list[Tap], list[ReaderState]]:
    taps: list[Tap] = []
    states: list[ReaderState] = []
    runner = ReaderRunner("r1", transport, LineCodec, taps.append, states.append, FAST)
    return asyncio.create_task(runner.run()), taps, states


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_greets_decodes_and_debounces(tmp_path: object) -> None:
    transport = FakeTransport()
    task, taps, states = await run_runner(transport)
    await transport.opened.wait()
    link = transport.links[0]
    for chunk in (b"00012", b"34\n0001234\n", b"0001234\n"):  # split, then the reader repeats
        link.incoming.put_nowait(chunk)
    await asyncio.sleep(0.05)
    assert link.written[0] == b"HELLO\n"
    assert [t.card_uid for t in taps] == ["0001234"]
    await asyncio.sleep(0.35)  # the card was away longer than the debounce window
    link.incoming.put_nowait(b"0001234\n")
    await asyncio.sleep(0.05)
    assert len(taps) == 2 and taps[0].received < taps[1].received
    assert [s.available for s in states] == [True]
    await stop(task)


async def test_unplug_marks_unavailable_and_replug_is_picked_up() -> None:
    transport = FakeTransport(refusals=2)
    task, taps, states = await run_runner(transport)
    await transport.opened.wait()
    assert [s.available for s in states] == [False, True], "reported once while unplugged"
    transport.opened.clear()
    transport.refusals = 1
    transport.links[0].incoming.put_nowait(LinkDown("device gone"))
    await transport.opened.wait()
    assert [s.available for s in states] == [False, True, False, True]
    assert transport.links[0].closed
    transport.links[1].incoming.put_nowait(b"42\n")
    await asyncio.sleep(0.05)
    assert [t.card_uid for t in taps] == ["42"]
    await stop(task)
