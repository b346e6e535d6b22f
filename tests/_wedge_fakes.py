"""Stand-ins for keyboard-wedge hardware: evdev events and nodes, pynput keys and listeners."""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from devices.readers._wedge_pynput import OnPress

CARD = "0002759484"  # the uid an RDM6300 gives for the same EM4100 card
KEY_CODES = {**{d: 2 + "1234567890".index(d) for d in "1234567890"}, "enter": 28}
KEYPAD_CODES = {
    **dict(zip("0123456789", (82, 79, 80, 81, 75, 76, 77, 71, 72, 73), strict=True)),
    "enter": 96,
}


@dataclass
class FakeEvent:
    type: int
    code: int
    value: int
    at: float = 0.0

    def timestamp(self) -> float:
        return self.at


def keystrokes(
    keys: Iterable[str], codes: dict[str, int] = KEY_CODES, start: float = 100.0, gap: float = 0.004
) -> list[FakeEvent]:
    """What a reader's node delivers: MSC_SCAN, key down, SYN, key up, SYN, per key."""
    events = []
    for i, key in enumerate(keys):
        t = start + i * gap
        code = codes[key]
        events += [
            FakeEvent(4, 4, 458000 + code, t),
            FakeEvent(1, code, 1, t),
            FakeEvent(0, 0, 0, t),
        ]
        events += [FakeEvent(1, code, 0, t + 0.001), FakeEvent(0, 0, 0, t + 0.001)]
    return events


class FakeDevice:
    """A python-evdev `InputDevice`: its descriptor is a pipe, readable while events wait."""

    def __init__(self) -> None:
        self._readable, self._wake = os.pipe()
        os.set_blocking(self._readable, False)
        self.pending: list[FakeEvent] = []
        self.error: OSError | None = None
        self.grab_error: OSError | None = None
        self.grabbed = self.closed = False

    def send(self, events: list[FakeEvent]) -> None:
        self.pending += events
        os.write(self._wake, b".")

    def fail(self, error: OSError) -> None:
        self.error = error
        os.write(self._wake, b".")

    def unplug(self) -> None:
        self.fail(OSError(errno.ENODEV, "No such device"))

    def fileno(self) -> int:
        return self._readable

    def read(self) -> Iterator[FakeEvent]:
        """Like python-evdev, a generator that reads when iterated."""
        with contextlib.suppress(BlockingIOError):
            os.read(self._readable, 4096)
        if self.error:
            raise self.error
        if not self.pending:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        events, self.pending = self.pending, []
        yield from events

    def grab(self) -> None:
        if self.grab_error:
            raise self.grab_error
        self.grabbed = True

    def ungrab(self) -> None:
        if self.error:  # an unplugged node refuses the ioctl
            raise OSError(errno.ENODEV, "No such device")
        self.grabbed = False

    def close(self) -> None:
        if not self.closed:
            os.close(self._readable)
            os.close(self._wake)
        self.closed = True


@dataclass
class FakeKey:
    char: str | None = None
    name: str | None = None


def keys(text: str) -> list[FakeKey]:
    return [FakeKey(name="enter") if c == "\n" else FakeKey(char=c) for c in text]


class FakeListener:
    """A stand-in for pynput's listener thread; the test presses keys through `on_press`."""

    def __init__(self, on_press: OnPress) -> None:
        self.on_press = on_press
        self.running = False
        self.failure: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-pynput-listener")

    def _run(self) -> None:
        self.running = True
        self._stop.wait()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
        if self.failure:
            raise self.failure

    def press(self, pressed: Iterable[FakeKey], gap: float = 0.0, injected: bool = False) -> None:
        """In a worker thread, as the listener thread would."""
        for key in pressed:
            self.on_press(key, injected)
            time.sleep(gap)
