"""USB keyboard-wedge card readers: they type the card number and Enter (DEVICES.md).

A wedge transport (`devices.EvdevTransport`: the reader's own evdev node, grabbed, so the digits
never reach the kiosk; `devices.PynputTransport`: the fallback that hears every keyboard and
cannot keep card digits from the focused window) turns each key-down into one line of a tiny
protocol: `b"<timestamp seconds> <key name>\\n"` (`wedge_line`), key names as `_wedge_burst` uses
them. `WedgeCodec` reads those lines and finds cards with the pure `KeyBurstDecoder`: a fast burst
of digits of a card's length ending in Enter. Timestamps come from the transport (the kernel's
for evdev), so the codec ignores the runner's clock; only their differences matter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from devices.readers._codec import Decoded
from devices.readers._line_splitter import LineSplitter
from devices.readers._wedge_burst import (
    WEDGE_MAX_GAP,
    WEDGE_MAX_LENGTH,
    WEDGE_MIN_LENGTH,
    KeyBurstDecoder,
)

__all__ = ["BY_ID", "WedgeCodec", "WedgeDevice", "list_wedge_devices", "wedge_line"]

BY_ID = Path("/dev/input/by-id")
_MAX_LINE = 64  # a timestamp, a space and a key name fit easily; longer lines are noise
_STALE_AFTER = 1.0  # seconds before a partial line is dropped (transports send whole lines)


def wedge_line(at: float, key: str) -> bytes:
    """One key-down as a transport sends it to `WedgeCodec`."""
    return f"{at:.6f} {key}\n".encode()


class WedgeCodec:
    """Card uids from key-down lines. Malformed lines are dropped; it never raises on input.

    `max_gap` (seconds between two keys of one card, Enter included) is the fallback's 30 ms by
    default, which tells a reader from a person; on a grabbed evdev node every key is the
    reader's, so a larger value (e.g. 0.5) is safe there for readers that type slowly.
    """

    def __init__(
        self,
        min_length: int = WEDGE_MIN_LENGTH,
        max_length: int = WEDGE_MAX_LENGTH,
        max_gap: float = WEDGE_MAX_GAP,
    ) -> None:
        self._decoder = KeyBurstDecoder(min_length, max_length, max_gap)
        self._lines = LineSplitter(_MAX_LINE, _STALE_AFTER)

    def start(self, now: float) -> bytes:
        self._decoder.flush()
        self._lines.reset()
        return b""

    def feed(self, data: bytes, now: float) -> Decoded:
        uids: list[str] = []
        for line in self._lines.feed(data, now):
            key_down = _parse(line)
            uid = None if key_down is None else self._decoder.feed(key_down[1], key_down[0]).uid
            if uid is not None:
                uids.append(uid)
        return Decoded(uids=uids)

    def tick(self, now: float) -> bytes:
        return b""


def _parse(line: bytes) -> tuple[float, str] | None:
    """(timestamp, key name) of a well-formed line, else None."""
    parts = line.split()
    if len(parts) != 2:
        return None
    try:
        at, key = float(parts[0]), parts[1].decode("ascii")
    except ValueError:  # UnicodeDecodeError is one too
        return None
    return (at, key) if math.isfinite(at) else None


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
