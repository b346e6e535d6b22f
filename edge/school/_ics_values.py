"""iCalendar value types (RFC 5545 §3.3): TEXT escapes, DATE, DATE-TIME, DURATION, TZID zones."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

#: A DATE (all-day) or a DATE-TIME; a naive DATE-TIME is floating (the school's local time).
When = date | datetime

_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_TIME = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$")
_DURATION = re.compile(
    r"^([+-]?)P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$"
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_LIST_TOKEN = re.compile(r"\\.|,|[^,\\]+|\\", re.DOTALL)


def unescape_text(value: str) -> str:
    """TEXT value → str: `\\,` `\\;` `\\\\` and `\\n` or `\\N` (newline); others keep the char."""
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def escape_text(value: str) -> str:
    """str → TEXT value."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n")


def split_text_list(value: str) -> list[str]:
    """A comma-separated TEXT list (CATEGORIES), split on unescaped commas, each unescaped."""
    items = [""]
    for piece in _LIST_TOKEN.findall(value):
        if piece == ",":
            items.append("")
        else:
            items[-1] += piece
    return [unescape_text(item) for item in items]


def iana_zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


class Zones:
    """TZID → zone: an IANA name, or a VTIMEZONE whose X-LIC-LOCATION names one."""

    def __init__(self, locations: Mapping[str, str]) -> None:
        self._locations = dict(locations)

    def get(self, tzid: str) -> tzinfo:
        for name in (tzid, self._locations.get(tzid)):
            zone = iana_zone(name) if name else None
            if zone is not None:
                return zone
        raise ValueError(f"unknown time zone {tzid!r}")


def parse_date(text: str) -> date:
    match = _DATE.match(text)
    try:
        if match:
            return date(*(int(g) for g in match.groups()))
    except ValueError:
        pass
    raise ValueError(f"bad date {text!r}")


def parse_when(text: str, params: Mapping[str, str], zones: Zones) -> When:
    """A DATE or DATE-TIME value; `Z` → UTC, `TZID=` → that zone, neither → floating (naive)."""
    text = text.strip()
    kind = params.get("VALUE", "").upper()
    if kind == "DATE" or (not kind and _DATE.match(text)):
        return parse_date(text)
    moment = _parse_date_time(text) if kind in ("", "DATE-TIME") else None
    if moment is None:
        raise ValueError(f"bad date-time {text!r}")
    if text.endswith("Z"):
        return moment.replace(tzinfo=UTC)
    tzid = params.get("TZID")
    return moment.replace(tzinfo=zones.get(tzid)) if tzid else moment


def parse_when_list(text: str, params: Mapping[str, str], zones: Zones) -> list[When]:
    return [parse_when(part, params, zones) for part in text.split(",") if part.strip()]


def _parse_date_time(text: str) -> datetime | None:
    match = _DATE_TIME.match(text)
    if not match:
        return None
    y, mo, d, h, mi, s = (int(g) for g in match.groups()[:6])
    try:
        return datetime(y, mo, d, h, mi, min(s, 59))  # a leap second 60 counts as 59
    except ValueError:
        return None


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()[1:]):
        raise ValueError(f"bad duration {text.strip()!r}")
    sign, weeks, days, hours, minutes, seconds = match.groups()
    length = timedelta(
        weeks=int(weeks or 0),
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int(seconds or 0),
    )
    return -length if sign == "-" else length
