"""Classroom panels on the box: the registry (one panel per room, and how its control port is
reached), the drivers that switch them, and their day by the timetable (issue 6)."""

from edge.panels._control import PanelControl, PanelControlError, PanelTimings
from edge.panels._jobs import ApsJobs, Jobs
from edge.panels._plan import PowerStep, RoomDay, power_steps, wanted_power
from edge.panels._registry import (
    OPTIONS,
    PanelConfigError,
    add_panel,
    list_panels,
    panel_of_room,
    parse_option,
    remove_panel,
    room_of,
)
from edge.panels._schedule import PanelSchedule, ScheduleRules
from edge.panels._service import PanelService
from edge.panels._timetable import room_days

__all__ = [
    "OPTIONS",
    "ApsJobs",
    "Jobs",
    "PanelConfigError",
    "PanelControl",
    "PanelControlError",
    "PanelSchedule",
    "PanelService",
    "PanelTimings",
    "PowerStep",
    "RoomDay",
    "ScheduleRules",
    "add_panel",
    "list_panels",
    "panel_of_room",
    "parse_option",
    "power_steps",
    "remove_panel",
    "room_days",
    "room_of",
    "wanted_power",
]
