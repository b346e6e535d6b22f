"""The keyboard-wedge fallback where the reader's evdev node cannot be grabbed: a pynput listener.

It hears every keyboard, so only a fast burst of digits ending in Enter is a card (`WedgeCodec`).
It does NOT suppress keys: on Linux (X11 or uinput) card digits also reach the focused window.
pynput can only suppress every key (`suppress=True`); re-injecting a person's keys with a
Controller would delay each digit until its burst is decided, garble modifiers and auto-repeat,
and the X11 and uinput listeners hear those injections again without flagging them (uinput
always reports injected=False), so it cannot be made correct. Prefer `EvdevTransport`. Headless
Linux needs PYNPUT_BACKEND_KEYBOARD=uinput (root, `dumpkeys`); that backend listens to the one
keyboard with the most keys, which may not be the reader.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from devices._transport import Link, LinkDown
from devices.readers._wedge_burst import pynput_key_name
from devices.readers.wedge import wedge_line

#: How often a waiting `read()` checks that the listener thread is still alive (seconds).
LISTENER_CHECK_SECONDS = 1.0
_START_SECONDS = 2.0  # how long a started listener may take to report `running`


class KeyListener(Protocol):
    """What is used of a `pynput.keyboard.Listener` (a thread)."""

    @property
    def running(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def is_alive(self) -> bool: ...

    def join(self, timeout: float | None = None) -> None: ...


OnPress = Callable[[object, bool], None]


def pynput_listener(on_press: OnPress) -> KeyListener:
    try:
        from pynput import keyboard
    except Exception as err:  # pynput raises ImportError with no X display or no `dumpkeys`
        reason = (str(err).splitlines() or [repr(err)])[0]
        raise LinkDown(f"pynput cannot listen to the keyboard here: {reason}") from err
    listener: KeyListener = keyboard.Listener(on_press=on_press)
    return listener


@dataclass(frozen=True)
class PynputTransport:
    listener_factory: Callable[[OnPress], KeyListener] = field(
        default=pynput_listener, compare=False, repr=False
    )

    def describe(self) -> str:
        return "keyboard: (pynput listener; card digits also reach the focused window)"

    async def open(self) -> Link:
        link = _PynputLink(asyncio.get_running_loop())
        try:  # importing pynput and opening its backend may take a while: not on the loop
            await asyncio.to_thread(link.start, self.listener_factory)
        except BaseException:
            link.close()  # also stops a listener the worker thread is still starting
            raise
        return link


class _PynputLink:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lines: asyncio.Queue[bytes] = asyncio.Queue()
        self._lock = threading.Lock()  # guards _closed/_listener against the starting thread
        self._closed = False
        self._listener: KeyListener | None = None

    def start(self, factory: Callable[[OnPress], KeyListener]) -> None:
        """In a worker thread: start the listener, wait until it runs (stop() is a no-op
        before that), and hand it over unless `close()` came meanwhile."""
        try:
            listener = factory(self._on_press)
            listener.start()
        except LinkDown:
            raise
        except Exception as err:
            raise LinkDown(f"cannot start a keyboard listener: {err}") from err
        deadline = time.monotonic() + _START_SECONDS
        while not listener.running and listener.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        if not listener.is_alive():
            raise LinkDown(f"the keyboard listener stopped: {_failure(listener)}")
        with self._lock:
            if not self._closed:
                self._listener = listener
                return
        listener.stop()

    def _on_press(self, key: object, injected: bool = False) -> None:
        """In the listener thread: stamp the key now, queue its line on the loop."""
        if injected:  # software key presses (the panel agent turns pages) are never a card
            return
        line = wedge_line(time.monotonic(), pynput_key_name(key))
        with contextlib.suppress(RuntimeError):  # the loop has closed
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)

    async def read(self) -> bytes:
        """The key-downs heard since the last read; LinkDown once the listener has died."""
        while True:
            self._check_listener()
            try:
                lines = [await asyncio.wait_for(self._lines.get(), LISTENER_CHECK_SECONDS)]
            except TimeoutError:
                continue
            while not self._lines.empty():
                lines.append(self._lines.get_nowait())
            return b"".join(lines)

    def _check_listener(self) -> None:
        listener = self._listener
        if self._closed or listener is None:
            raise LinkDown("the keyboard listener is closed")
        if not listener.is_alive():
            raise LinkDown(f"the keyboard listener stopped: {_failure(listener)}")

    async def write(self, data: bytes) -> None:
        """A keyboard takes nothing from the host."""

    def close(self) -> None:
        """Stop the listener (idempotent)."""
        with self._lock:
            self._closed = True
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()


def _failure(listener: KeyListener) -> str:
    try:
        listener.join(0)  # pynput re-raises the listener thread's exception here
    except Exception as err:
        return repr(err)
    return "no error reported"
