"""Keyboard-wedge transports: the grabbed evdev node, the pynput fallback, and the whole path
through the real ReaderRunner (a card typed → one Tap; unplug and replug)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from devices import (
    EvdevTransport,
    Link,
    LinkDown,
    PynputTransport,
    ReaderRunner,
    ReaderState,
    SerialTransport,
    Tap,
    Timing,
    parse_address,
)
from devices.readers import _wedge_pynput as wedge_pynput
from devices.readers import make_codec, wedge_line
from devices.readers._codec import ReaderCodec
from devices.readers._wedge_pynput import OnPress
from tests._wedge_fakes import (
    CARD,
    KEY_CODES,
    KEYPAD_CODES,
    FakeDevice,
    FakeListener,
    keys,
    keystrokes,
)

PATH = "/dev/input/by-id/usb-Reader-event-kbd"
OTHER_CARD = "0005898564"
AT = datetime(2025, 3, 4, 8, 15, tzinfo=UTC)
FAST = Timing(backoff=(0.01, 0.02), jitter=0.0, tick=0.01, debounce=0.3)


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(600):  # up to 3 s
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("timed out")


async def read(link: Link) -> bytes:
    return await asyncio.wait_for(link.read(), 3)


def test_parse_address_picks_the_wedge_transports() -> None:
    assert parse_address(PATH, 0) == EvdevTransport(PATH)
    assert parse_address("/dev/serial/../input/event3", 0) == EvdevTransport(
        "/dev/serial/../input/event3"
    )
    assert parse_address("keyboard:", 0) == PynputTransport()
    assert parse_address("/dev/serial/by-id/r1", 9600) == SerialTransport(
        "/dev/serial/by-id/r1", 9600
    )
    with pytest.raises(ValueError, match="keyboard:"):
        parse_address("keyboard", 0)


# --- EvdevTransport ------------------------------------------------------------------------------


@pytest.mark.parametrize("codes", [KEY_CODES, KEYPAD_CODES], ids=["top-row", "keypad"])
async def test_evdev_key_downs_become_lines_and_close_ungrabs(codes: dict[str, int]) -> None:
    device = FakeDevice()
    link = await EvdevTransport(PATH, open_device=lambda _: device).open()
    try:
        assert device.grabbed
        device.send(keystrokes(["enter"], codes)[3:])  # a key-up and a SYN only: no line
        device.send(keystrokes([*CARD, "enter"], codes))
        expected = [*CARD, "enter" if codes is KEY_CODES else "kp_enter"]
        assert await read(link) == b"".join(
            wedge_line(100.0 + i * 0.004, key) for i, key in enumerate(expected)
        )
        await link.write(b"ignored")
    finally:
        link.close()
        link.close()
    assert not device.grabbed and device.closed


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (OSError(errno.ENODEV, "No such device"), f"{PATH} was unplugged"),
        (OSError(errno.EIO, "Input/output error"), "reading .* failed: .*Input/output error"),
    ],
)
async def test_evdev_read_errors_are_link_down(error: OSError, message: str) -> None:
    device = FakeDevice()
    link = await EvdevTransport(PATH, open_device=lambda _: device).open()
    device.fail(error)
    for _ in range(2):  # every later read fails the same way
        with pytest.raises(LinkDown, match=message):
            await read(link)
    link.close()
    assert device.closed


async def test_evdev_open_failures_are_link_down() -> None:
    def absent(path: str) -> FakeDevice:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)

    with pytest.raises(LinkDown, match=r"cannot open .*'input' group"):
        await EvdevTransport(PATH, open_device=absent).open()
    busy = FakeDevice()
    busy.grab_error = OSError(errno.EBUSY, "Device or resource busy")
    with pytest.raises(LinkDown, match=r"cannot grab .*in use"):
        await EvdevTransport(PATH, open_device=lambda _: busy).open()
    assert busy.closed
    with pytest.raises(LinkDown, match="cannot open /nonexistent/usb-Reader-event-kbd"):
        await EvdevTransport("/nonexistent/usb-Reader-event-kbd").open()  # python-evdev itself


# --- the whole path: evdev node → ReaderRunner → Tap ---------------------------------------------


class Socket:
    """A USB socket the reader is plugged into: each plug-in is a fresh node."""

    def __init__(self) -> None:
        self.plugged = True
        self.devices: list[FakeDevice] = []

    def open(self, path: str) -> FakeDevice:
        if not self.plugged:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        self.devices.append(FakeDevice())
        return self.devices[-1]


async def test_cards_typed_on_a_grabbed_node_are_taps_across_an_unplug() -> None:
    socket, taps, states = Socket(), list[Tap](), list[ReaderState]()
    runner = ReaderRunner(
        "door-1",
        EvdevTransport(PATH, open_device=socket.open),
        lambda: make_codec("wedge"),
        taps.append,
        states.append,
        FAST,
        wall=lambda: AT,
    )
    task = asyncio.create_task(runner.run())
    try:
        await until(lambda: bool(states) and states[-1].available)
        socket.devices[-1].send(keystrokes([*CARD, "enter"]))
        await until(lambda: bool(taps))
        socket.plugged = False
        socket.devices[-1].unplug()
        await until(lambda: not states[-1].available)
        assert "unplugged" in states[-1].detail and socket.devices[0].closed
        socket.plugged = True
        await until(lambda: states[-1].available)
        socket.devices[-1].send(keystrokes([*OTHER_CARD, "enter"], start=200.0))
        await until(lambda: len(taps) == 2)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert [(t.card_uid, t.reader_id, t.at) for t in taps] == [
        (CARD, "door-1", AT),
        (OTHER_CARD, "door-1", AT),
    ]
    assert [s.available for s in states] == [True, False, True]
    assert all(device.closed for device in socket.devices)


def _uinput_skip_reason() -> str | None:
    try:
        import evdev  # noqa: F401
    except ImportError:
        return "python-evdev is not installed"
    if not os.access("/dev/uinput", os.W_OK):
        return "/dev/uinput is absent or not writable here, so no virtual keyboard can be made"
    return None


async def test_a_uinput_virtual_keyboard_through_the_runner() -> None:
    reason = _uinput_skip_reason()
    if reason:
        pytest.skip(reason)
    from evdev import UInput, ecodes

    keyboard = await asyncio.to_thread(
        UInput, {ecodes.EV_KEY: list(range(1, 100))}, name="wedge-test"
    )
    taps: list[Tap] = []
    states: list[ReaderState] = []
    transport = EvdevTransport(os.fsdecode(keyboard.device.path))
    runner = ReaderRunner(
        "door-1", transport, lambda: make_codec("wedge"), taps.append, states.append, FAST
    )
    task = asyncio.create_task(runner.run())
    try:
        await until(lambda: bool(states) and states[-1].available)
        for key in [*CARD, "enter"]:
            for value in (1, 0):
                keyboard.write(ecodes.EV_KEY, KEY_CODES[key], value)
                keyboard.syn()
        await until(lambda: bool(taps))
        assert [t.card_uid for t in taps] == [CARD]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.to_thread(keyboard.close)


# --- PynputTransport -----------------------------------------------------------------------------


class Listeners:
    def __init__(self) -> None:
        self.made: list[FakeListener] = []

    def __call__(self, on_press: OnPress) -> FakeListener:
        self.made.append(FakeListener(on_press))
        return self.made[-1]


_OPEN_PYNPUT = """
import asyncio
from devices import LinkDown, PynputTransport
try:
    asyncio.run(PynputTransport().open())
except LinkDown as err:
    print(err)
else:
    print("listening")
"""


def test_pynput_cannot_listen_headless() -> None:
    """In a process of its own: pynput picks its backend once, at import, from the display."""
    headless = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    said = subprocess.run(
        [sys.executable, "-c", _OPEN_PYNPUT], env=headless, capture_output=True, text=True
    )
    if said.stdout.strip() == "listening":
        pytest.skip("pynput can listen here without a display (uinput is available)")
    assert said.stdout.startswith("pynput cannot listen to the keyboard here: "), said


async def test_pynput_key_downs_become_lines_injected_keys_do_not() -> None:
    listeners = Listeners()
    link = await PynputTransport(listeners).open()
    listener = listeners.made[0]
    try:
        assert listener.running
        await asyncio.to_thread(listener.press, keys("12\n"), injected=True)
        await asyncio.to_thread(listener.press, keys("7a\n"))
        lines = (await read(link)).splitlines()
        assert [line.split()[1] for line in lines] == [b"7", b"other", b"enter"]
        assert all(float(line.split()[0]) > 0 for line in lines)
    finally:
        link.close()
    await asyncio.to_thread(listener.join, 2)
    assert not listener.is_alive()


async def test_pynput_a_dead_listener_is_link_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wedge_pynput, "LISTENER_CHECK_SECONDS", 0.01)
    listeners = Listeners()
    link = await PynputTransport(listeners).open()
    listeners.made[0].failure = RuntimeError("X connection lost")
    listeners.made[0].stop()
    with pytest.raises(LinkDown, match="X connection lost"):
        await read(link)
    link.close()


async def test_pynput_fast_bursts_are_taps_and_people_are_not() -> None:
    def codec() -> ReaderCodec:
        return make_codec("wedge", {"min_length": 3})

    listeners, taps, states = Listeners(), list[Tap](), list[ReaderState]()
    runner = ReaderRunner("desk-2", PynputTransport(listeners), codec, taps.append, states.append)
    task = asyncio.create_task(runner.run())
    try:
        await until(lambda: bool(states) and states[-1].available)
        listener = listeners.made[0]
        await asyncio.to_thread(listener.press, keys("123\n"), gap=0.1)  # a person
        await asyncio.to_thread(listener.press, keys(CARD + "\n"))  # a reader
        await until(lambda: bool(taps))
        await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert [t.card_uid for t in taps] == [CARD]
    await asyncio.to_thread(listener.join, 2)  # the runner's close stopped it
    assert not listener.is_alive()
