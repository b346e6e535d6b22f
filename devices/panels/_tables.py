"""Checks every codec shares: input names ↔ the codes a protocol carries, volume, panel ids.

Input codes are text as a vendor manual writes them ("09" for a hex byte, "004" for LFD digits,
"hdmi1" for SMART), so a technician can add or correct one per panel (`inputs=` of `open_panel`)
where a model differs from the defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: the input names callers use, whatever the protocol calls them
INPUT_NAMES = ("hdmi1", "hdmi2", "hdmi3", "vga1", "ops1", "usbc1")
_NAME = re.compile(r"[a-z][a-z0-9]{0,15}")
HEX_BYTE = re.compile(r"[0-9A-Fa-f]{2}")


class InputTable:
    def __init__(
        self,
        protocol: str,
        defaults: Mapping[str, str],
        overrides: Mapping[str, str] | None,
        code_format: re.Pattern[str],
    ) -> None:
        self._protocol = protocol
        table = {**defaults, **(overrides or {})}
        for name, code in table.items():
            if _NAME.fullmatch(name) is None:
                raise ValueError(f"{name!r} is not an input name (like hdmi1, ops1)")
            if code_format.fullmatch(code) is None:
                raise ValueError(f"{protocol} input {name!r}: {code!r} is not a {protocol} code")
        self._codes = table
        self._names = {code.upper(): name for name, code in table.items()}

    def code(self, name: str) -> str:
        code = self._codes.get(name)
        if code is None:
            known = ", ".join(sorted(self._codes))
            raise ValueError(f"{self._protocol} panels have no input {name!r} (they have {known})")
        return code

    def name(self, code: str) -> str:
        """The input name for a code the panel reported; `code:<code>` for one not in the table."""
        return self._names.get(code.upper(), f"code:{code}")


def checked_volume(level: int) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 100:
        raise ValueError(f"volume must be an integer from 0 to 100, not {level!r}")
    return level


def checked_id(protocol: str, panel_id: int, lowest: int, highest: int) -> int:
    """A panel id from `lowest` to `highest`: a broadcast id gets no answer, so it cannot do."""
    valid = isinstance(panel_id, int) and not isinstance(panel_id, bool)
    if not valid or not lowest <= panel_id <= highest:
        raise ValueError(f"a {protocol} panel id is {lowest} to {highest}, not {panel_id!r}")
    return panel_id


def bounded(buffer: bytearray, keep: int) -> int:
    """Trim `buffer` to its last `keep` bytes; returns how many were dropped."""
    excess = len(buffer) - keep
    if excess <= 0:
        return 0
    del buffer[:excess]
    return excess
