"""Card readers: one pure codec per protocol (bytes in → card uids and bytes to send out).

The same physical card gives the same uid through every reader that can read it: EM4100 ids and
Wiegand data as 10 decimal digits (what USB keyboard-wedge readers type), ISO14443A UIDs as
upper-case hex. `make_codec` builds a reader's codec from its protocol name and settings;
`PROTOCOLS` maps each name to its usual serial speed. The frame builders are for simulators
and tests. Keyboard-wedge readers (`wedge`) are read through their own transports
(`devices.EvdevTransport`, `devices.PynputTransport`), which hand `WedgeCodec` key-down lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from devices.readers._codec import Decoded, ReaderCodec
from devices.readers._wedge_burst import BurstResult, KeyBurstDecoder
from devices.readers.lines import LineCodec
from devices.readers.pn532 import Pn532Codec, Pn532Frame, Pn532FrameParser, pn532_frame
from devices.readers.rdm6300 import Rdm6300Codec, em4100_uid, rdm6300_frame
from devices.readers.wedge import WedgeCodec, WedgeDevice, list_wedge_devices, wedge_line
from devices.readers.wiegand import (
    WiegandFormat,
    WiegandSerialCodec,
    decode_wiegand26,
    wiegand26_bits,
    wiegand_line,
)

__all__ = [
    "PROTOCOLS",
    "BurstResult",
    "Decoded",
    "KeyBurstDecoder",
    "LineCodec",
    "Pn532Codec",
    "Pn532Frame",
    "Pn532FrameParser",
    "Rdm6300Codec",
    "ReaderCodec",
    "WedgeCodec",
    "WedgeDevice",
    "WiegandFormat",
    "WiegandSerialCodec",
    "decode_wiegand26",
    "em4100_uid",
    "list_wedge_devices",
    "make_codec",
    "pn532_frame",
    "rdm6300_frame",
    "wedge_line",
    "wiegand26_bits",
    "wiegand_line",
]

#: Protocol name → the serial speed its readers use unless told otherwise (0: not serial).
PROTOCOLS: dict[str, int] = {
    "rdm6300": 9600,
    "pn532": 115200,
    "wiegand-hex": 9600,
    "wiegand-decimal": 9600,
    "wiegand-bits": 9600,
    "lines": 9600,
    "wedge": 0,  # a USB keyboard: no serial speed (its address is /dev/input/… or keyboard:)
}

_FACTORIES: dict[str, Callable[..., ReaderCodec]] = {
    "rdm6300": Rdm6300Codec,
    "pn532": Pn532Codec,
    "wiegand-hex": partial(WiegandSerialCodec, "hex"),
    "wiegand-decimal": partial(WiegandSerialCodec, "decimal"),
    "wiegand-bits": partial(WiegandSerialCodec, "bits"),
    "lines": LineCodec,
    "wedge": WedgeCodec,
}
_WIEGAND_OPTIONS: dict[str, type] = {"stale_after": float}
#: Settings each protocol takes, with their type (an int is a fine float).
_OPTIONS: dict[str, dict[str, type]] = {
    "rdm6300": {"required_reads": int, "read_window": float},
    "pn532": {"poll_interval": float, "timeout": float, "max_failures": int},
    "wiegand-hex": _WIEGAND_OPTIONS,
    "wiegand-decimal": _WIEGAND_OPTIONS,
    "wiegand-bits": _WIEGAND_OPTIONS,
    "lines": {"max_length": int, "stale_after": float},
    "wedge": {"min_length": int, "max_length": int, "max_gap": float},
}


def make_codec(protocol: str, options: Mapping[str, object] | None = None) -> ReaderCodec:
    """A fresh codec for `protocol`; raises ValueError for an unknown protocol or setting."""
    factory = _FACTORIES.get(protocol)
    if factory is None:
        raise ValueError(f"unknown reader protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")
    return factory(**_checked_options(protocol, options or {}))


def _checked_options(protocol: str, options: Mapping[str, object]) -> dict[str, Any]:
    allowed = _OPTIONS[protocol]
    for name, value in options.items():
        kind = allowed.get(name)
        if kind is None:
            raise ValueError(f"reader protocol {protocol!r} has no setting {name!r}")
        if not _is_number(value, integral=kind is int):
            expected = "an integer" if kind is int else "a number"
            raise ValueError(f"setting {name!r} of {protocol!r} must be {expected}")
    return dict(options)


def _is_number(value: object, *, integral: bool) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (not integral and isinstance(value, float))
