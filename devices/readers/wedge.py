"""USB keyboard-wedge card readers: they type the card number and Enter (DEVICES.md).

`EvdevWedge` reads the reader's own evdev node and grabs it, so the digits never reach the kiosk
and every burst from it is a card. Where no node can be opened, `PynputWedge` (`_wedge_pynput`)
is the fallback; it cannot keep card digits from the focused window.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from devices._events import Tap
from devices.readers._wedge_burst import (
    WEDGE_MAX_LENGTH,
    WEDGE_MIN_LENGTH,
    InputEventLike,
    KeyBurstDecoder,
    evdev_key_name,
)

Emit = Callable[[Tap], None]
Clock = Callable[[], datetime]
BY_ID = Path("/dev/input/by-id")
#: Seconds between keys before a partial read from a grabbed reader is dropped. Its own node
#: carries only its keys, so this is lenient: it need not tell a reader from a person.
EVDEV_MAX_GAP = 0.5


class WedgeUnavailable(ConnectionError):
    """The reader cannot be read: absent, no permission, grabbed elsewhere, or no backend here."""


class WedgeUnplugged(WedgeUnavailable):
    """The reader went away while being read; a supervisor may reopen it later."""


@dataclass(frozen=True)
class WedgeDevice:
    path: str  # the stable /dev/input/by-id/…-event-kbd path: configure a reader by this
    name: str


def list_wedge_devices(by_id: Path = BY_ID) -> list[WedgeDevice]:
    """Every keyboard node by id (readers are keyboards to the kernel); [] without /dev/input."""
    return [
        WedgeDevice(str(path), _name_from_id(path.name))
        for path in sorted(by_id.glob("*-event-kbd"))
    ]


def _name_from_id(entry: str) -> str:
    # e.g. usb-Sycreader_RFID_Technology_Co.__Ltd_SYC_ID_IC_USB_Reader_08FF20140315-event-kbd
    words = entry.removeprefix("usb-").removesuffix("-event-kbd").replace("_", " ")
    return " ".join(words.split())


class EvdevDevice(Protocol):
    def grab(self) -> None: ...

    def ungrab(self) -> None: ...

    def close(self) -> None: ...

    def async_read_loop(self) -> AsyncIterator[InputEventLike]: ...


def _open_evdev(path: str) -> EvdevDevice:
    try:
        import evdev
    except ImportError as err:
        raise WedgeUnavailable(f"python-evdev is not installed: {err}") from err
    return evdev.InputDevice(path)


def utc_now() -> datetime:
    return datetime.now(UTC)


class EvdevWedge:
    """One reader's own node, grabbed. `run()` reads until `close()`; it raises WedgeUnavailable
    when the node cannot be opened or grabbed and WedgeUnplugged when the reader goes away."""

    def __init__(
        self,
        reader_id: str,
        device_path: str | Path,
        emit: Emit,
        *,
        min_length: int = WEDGE_MIN_LENGTH,
        max_length: int = WEDGE_MAX_LENGTH,
        max_gap: float = EVDEV_MAX_GAP,
        clock: Clock = utc_now,
        open_device: Callable[[str], EvdevDevice] = _open_evdev,
    ) -> None:
        self.reader_id = reader_id
        self.device_path = str(device_path)
        self._emit, self._clock, self._open_device = emit, clock, open_device
        self._decoder = KeyBurstDecoder(min_length, max_length, max_gap)
        self._device: EvdevDevice | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def run(self) -> None:
        device = self._open()
        self._device, self._task, self._closing = device, asyncio.current_task(), False
        self._decoder.flush()
        try:
            async for event in device.async_read_loop():
                self._on_event(event)
        except OSError as err:
            raise self._read_error(err) from err
        except asyncio.CancelledError:
            if not self._cancelled_by_close():
                raise
            return
        finally:
            self._task = None
            self.close()
        raise WedgeUnplugged(f"{self.device_path} stopped sending events")

    def close(self) -> None:
        """Ungrab and close the node (idempotent, on the loop); a running `run()` then returns."""
        device, task, self._device, self._task = self._device, self._task, None, None
        if device is not None:
            with contextlib.suppress(OSError):
                device.ungrab()
            with contextlib.suppress(OSError):
                device.close()
        if task is not None:
            self._closing = True
            task.cancel()

    def _open(self) -> EvdevDevice:
        try:
            device = self._open_device(self.device_path)
        except WedgeUnavailable:
            raise
        except OSError as err:
            hint = " (is it plugged in, and is this user in the 'input' group?)"
            raise WedgeUnavailable(f"cannot open {self.device_path}: {err}{hint}") from err
        try:
            device.grab()
        except OSError as err:
            device.close()
            raise WedgeUnavailable(f"cannot grab {self.device_path} (in use?): {err}") from err
        return device

    def _on_event(self, event: InputEventLike) -> None:
        name = evdev_key_name(event)
        uid = None if name is None else self._decoder.feed(name, event.timestamp()).uid
        if uid is not None:
            self._emit(Tap(uid, self.reader_id, self._clock()))

    def _read_error(self, err: OSError) -> WedgeUnavailable:
        if err.errno == errno.ENODEV:
            return WedgeUnplugged(f"reader {self.reader_id} ({self.device_path}) was unplugged")
        return WedgeUnavailable(f"reading {self.device_path} failed: {err}")

    def _cancelled_by_close(self) -> bool:
        task = asyncio.current_task()
        return self._closing and task is not None and task.uncancel() == 0
