"""When each classroom panel should be on: from a little before the first lesson in its room
to a little after the last, on school days only (pure: the timetable comes in as data)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class RoomDay:
    """A room's scheduled (not cancelled) lessons on one day, as aware start/end datetimes."""

    room_id: str
    day: date
    lessons: tuple[tuple[datetime, datetime], ...]


@dataclass(frozen=True)
class PowerStep:
    room_id: str
    at: datetime
    on: bool


def power_steps(days: Iterable[RoomDay], lead: timedelta, lag: timedelta) -> list[PowerStep]:
    """On at the first start − `lead`, off at the last end + `lag`, per room and day (the
    days' lessons exclude holidays already). Sorted by time, an off before an on."""
    steps = []
    for room_day in days:
        if not room_day.lessons:
            continue
        first = min(start for start, _ in room_day.lessons)
        last = max(end for _, end in room_day.lessons)
        steps += [
            PowerStep(room_day.room_id, first - lead, True),
            PowerStep(room_day.room_id, last + lag, False),
        ]
    return sorted(steps, key=lambda step: (step.at, step.on, step.room_id))


def wanted_power(steps: Iterable[PowerStep], now: datetime) -> Mapping[str, bool]:
    """Per room with a step today, whether its panel should be on at `now` (the last step
    before `now` decides; a room whose first step is still ahead wants it off)."""
    wanted: dict[str, bool] = {}
    for step in sorted(steps, key=lambda s: s.at):
        if step.at <= now:
            wanted[step.room_id] = step.on
        else:
            wanted.setdefault(step.room_id, False)
    return wanted
