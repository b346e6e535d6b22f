"""The keyboard-wedge fallback where the reader's evdev node cannot be opened: a pynput listener.

It hears every keyboard, so only a fast burst of digits ending in Enter is a card (see
`_wedge_burst`). It does NOT suppress keys: on Linux (X11 or uinput) card digits also reach the
focused window. pynput can only suppress every key (`suppress=True`); re-injecting a person's keys
with a Controller would delay each digit until its burst is decided, garble modifiers and
auto-repeat, and the X11 and uinput listeners hear those injections again without flagging them
(uinput always reports injected=False), so it cannot be made correct. Prefer `EvdevWedge`.
Headless Linux needs PYNPUT_BACKEND_KEYBOARD=uinput (root, `dumpkeys`); that backend listens to
the one keyboard with the most keys, which may not be the reader.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Protocol

from devices._events import Tap
from devices.readers._wedge_burst import (
    WEDGE_MAX_GAP,
    WEDGE_MAX_LENGTH,
    WEDGE_MIN_LENGTH,
    KeyBurstDecoder,
    pynput_key_name,
)
from devices.readers.wedge import Clock, Emit, WedgeUnavailable, utc_now

#: How often `run()` checks that the listener thread is still alive (seconds).
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
        raise WedgeUnavailable(f"pynput cannot listen to the keyboard here: {err}") from err
    listener: KeyListener = keyboard.Listener(on_press=on_press)
    return listener


class PynputWedge:
    """`run()` listens until `close()` (call both on the loop); it raises WedgeUnavailable when
    pynput cannot listen here or its listener thread dies."""

    def __init__(
        self,
        reader_id: str,
        emit: Emit,
        *,
        min_length: int = WEDGE_MIN_LENGTH,
        max_length: int = WEDGE_MAX_LENGTH,
        max_gap: float = WEDGE_MAX_GAP,
        clock: Clock = utc_now,
        listener_factory: Callable[[OnPress], KeyListener] = pynput_listener,
    ) -> None:
        self.reader_id = reader_id
        self._emit, self._clock, self._factory = emit, clock, listener_factory
        self._decoder = KeyBurstDecoder(min_length, max_length, max_gap)
        self._lock = threading.Lock()  # guards _closed/_listener against the starting thread
        self._closed = True
        self._listener: KeyListener | None = None
        self._wake = asyncio.Event()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._closed, self._wake = False, asyncio.Event()
        self._decoder.flush()
        try:
            listener = await asyncio.to_thread(self._start_listener, loop)
            while listener.is_alive() and not self._closed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), LISTENER_CHECK_SECONDS)
            if not self._closed:
                raise WedgeUnavailable(f"the keyboard listener stopped: {_failure(listener)}")
        finally:
            self.close()

    def close(self) -> None:
        """Stop the listener (idempotent); a running `run()` then returns."""
        with self._lock:
            self._closed = True
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
        self._wake.set()

    def _start_listener(self, loop: asyncio.AbstractEventLoop) -> KeyListener:
        """In a worker thread: importing pynput and opening its backend may take a while."""
        try:
            listener = self._factory(partial(self._on_press, loop))
            listener.start()
        except WedgeUnavailable:
            raise
        except Exception as err:
            raise WedgeUnavailable(f"cannot start a keyboard listener: {err}") from err
        deadline = time.monotonic() + _START_SECONDS  # pynput's stop() is a no-op until running
        while not listener.running and listener.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        with self._lock:
            if not self._closed:
                self._listener = listener
                return listener
        listener.stop()  # close() came while starting
        return listener

    def _on_press(
        self, loop: asyncio.AbstractEventLoop, key: object, injected: bool = False
    ) -> None:
        """In the listener thread: stamp the key now, decode it on the loop."""
        if injected:  # software key presses (the panel agent turns pages) are never a card
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed
            loop.call_soon_threadsafe(self._feed, pynput_key_name(key), time.monotonic())

    def _feed(self, name: str, now: float) -> None:
        uid = self._decoder.feed(name, now).uid
        if uid is not None and not self._closed:
            self._emit(Tap(uid, self.reader_id, self._clock()))


def _failure(listener: KeyListener) -> str:
    try:
        listener.join(0)  # pynput re-raises the listener thread's exception here
    except Exception as err:
        return repr(err)
    return "no error reported"
