"""Download windows in local wall-clock time, e.g. "18:00-07:00,12:30-13:15".

A window may cross midnight; "" means always open. Times are minutes since midnight, so a
window ends just before its end minute and DST days simply have a shorter or longer night.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DAY = 24 * 60


@dataclass(frozen=True)
class TimeWindows:
    spans: tuple[tuple[int, int], ...] = ()  # (start, end) minutes; end < start crosses midnight

    @classmethod
    def parse(cls, text: str) -> TimeWindows:
        """Windows from "HH:MM-HH:MM[,…]"; ValueError naming the part it cannot read."""
        if not text.strip():
            return cls()
        return cls(tuple(_span(part) for part in text.split(",")))

    @property
    def always(self) -> bool:
        return not self.spans

    def is_open(self, moment: datetime) -> bool:
        minute = moment.hour * 60 + moment.minute
        return self.always or any(_inside(minute, span) for span in self.spans)

    def seconds_until_open(self, moment: datetime) -> float:
        """0 while a window is open, else the seconds until the next one opens."""
        if self.is_open(moment):
            return 0.0
        minute = moment.hour * 60 + moment.minute
        wait = min((start - minute) % _DAY for start, _ in self.spans)
        opens = moment.replace(second=0, microsecond=0) + timedelta(minutes=wait)
        return (opens - moment).total_seconds()

    def __str__(self) -> str:
        return ",".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in self.spans)


def _span(part: str) -> tuple[int, int]:
    found = _WINDOW.match(part)
    if found is None:
        raise ValueError(f"{part.strip()!r} is not HH:MM-HH:MM")
    start_h, start_m, end_h, end_m = (int(group) for group in found.groups())
    if max(start_h, end_h) > 23 or max(start_m, end_m) > 59:
        raise ValueError(f"{part.strip()!r} is not a time of day")
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if start == end:
        raise ValueError(f"{part.strip()!r} is empty")
    return start, end


def _inside(minute: int, span: tuple[int, int]) -> bool:
    start, end = span
    return start <= minute < end if start < end else minute >= start or minute < end


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
