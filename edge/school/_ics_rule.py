"""RRULE values: checked when the file is parsed, expanded later with dateutil."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dateutil.rrule import rrulestr

from edge.school._ics_values import When, Zones, parse_when

_FREQUENCIES = frozenset({"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


@dataclass(frozen=True)
class Rule:
    """One RRULE. UNTIL is kept apart (a date, floating or UTC) and applied by the caller."""

    text: str
    freq: str
    byday: tuple[str, ...]
    until: When | None
    count: int | None
    line: int

    @property
    def bounded(self) -> bool:
        return self.until is not None or self.count is not None

    @property
    def is_weekly_series(self) -> bool:
        """FREQ=WEEKLY on at most one weekday (none means DTSTART's weekday)."""
        return self.freq == "WEEKLY" and len(self.byday) <= 1

    def without_until(self) -> str:
        return _without_until(self.text)


def parse_rule(text: str, line: int, zones: Zones) -> Rule:
    """Raises ValueError with a message for the person who wrote the file."""
    text = text.strip()
    parts: dict[str, str] = {}
    for item in filter(None, (i.strip() for i in text.split(";"))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"bad RRULE part {item!r}")
        parts[key.strip().upper()] = value.strip()
    freq = parts.get("FREQ", "").upper()
    if freq not in _FREQUENCIES:
        raise ValueError(f"RRULE needs FREQ=DAILY, WEEKLY, ...: {text!r}")
    if "UNTIL" in parts and "COUNT" in parts:
        raise ValueError("RRULE has both UNTIL and COUNT")
    try:
        until = parse_when(parts["UNTIL"], {}, zones) if "UNTIL" in parts else None
    except ValueError as err:
        raise ValueError(f"RRULE UNTIL: {err}") from err
    try:
        rrulestr(_without_until(text), dtstart=datetime(2000, 1, 3))
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"bad RRULE {text!r}: {err}") from err
    return Rule(
        text=text,
        freq=freq,
        byday=tuple(d for d in parts.get("BYDAY", "").upper().split(",") if d),
        until=until,
        count=int(parts["COUNT"]) if "COUNT" in parts else None,
        line=line,
    )


def _without_until(text: str) -> str:
    return ";".join(p for p in text.split(";") if not p.strip().upper().startswith("UNTIL="))
