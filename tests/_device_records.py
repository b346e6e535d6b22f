"""The `[name]` records of ../shared/fixtures/devices/*.txt, read in place, and byte helpers."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from tests.conftest import shared_fixture

_HEX_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9A-F]{2}(?: [0-9A-F]{2})+(?![0-9A-Za-z])")
_LOG_LINE = re.compile(r"(>>>|<<<|TX|RX(?:#\d+)?) ((?:[0-9A-F]{2} ?)+?)\s*(?:#\s*(.*))?")


@dataclass
class Record:
    name: str
    lines: list[str] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        """The value of the first `key: value` line."""
        for line in self.lines:
            if line.startswith(f"{key}:"):
                return line.partition(":")[2].strip()
        return None

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(f"[{self.name}] has no {key!r}")
        return value

    def hex(self, key: str = "hex") -> bytes:
        return bytes.fromhex(self[key])

    def log(self) -> list[LogLine]:
        """The `>>>`/`<<<`/`TX`/`RX` lines of a captured exchange, in order."""
        found = (_LOG_LINE.fullmatch(line) for line in self.lines)
        return [LogLine(m[1], bytes.fromhex(m[2]), m[3] or "") for m in found if m]


@dataclass(frozen=True)
class LogLine:
    direction: str
    data: bytes
    comment: str

    @property
    def from_host(self) -> bool:
        return self.direction in (">>>", "TX")


def records(filename: str) -> list[Record]:
    """Every record of a shared device fixture, in file order (skips if the folder is absent)."""
    found: list[Record] = []
    for line in shared_fixture("devices", filename).read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if header := re.fullmatch(r"\[(.+)\]", line):
            found.append(Record(header[1]))
        else:
            found[-1].lines.append(line)
    return found


def fixture_record(filename: str, name: str) -> Record:
    return next(found for found in records(filename) if found.name == name)


def hex_in(text: str) -> bytes:
    """The first run of space-separated hex bytes in free text, e.g. a record's note."""
    run = _HEX_RUN.search(text)
    if run is None:
        raise ValueError(f"no hex bytes in {text!r}")
    return bytes.fromhex(run[0])


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` cut at the given positions (clamped and sorted), as chunks arriving one by one."""
    points = sorted({min(max(cut, 0), len(data)) for cut in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]
