"""Typed application keys: every shared resource the handlers reach through `request.app`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from edge.accounts import LoginThrottle, Sessions
from edge.db import Database, ReadCache
from edge.diary import LiveRegisters
from edge.hubsync import SyncScheduler
from edge.prefetch import ContentService
from edge.settings import Settings
from edge.taps import ReaderService

Clock = Callable[[], datetime]

SETTINGS = web.AppKey("settings", Settings)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
DB = web.AppKey("db", Database)
SESSIONS = web.AppKey("sessions", Sessions)
THROTTLE = web.AppKey("throttle", LoginThrottle)
STARTED_AT = web.AppKey("started_at", float)
#: encoded timetable answers, valid until the school data they came from changes
TIMETABLES = web.AppKey("timetables", ReadCache[bytes])
TIMETABLE_TABLES = ("lessons", "classes", "rooms", "people", "enrollments")
LIVE = web.AppKey("live", LiveRegisters)
READERS = web.AppKey("readers", ReaderService)
SYNC = web.AppKey("sync", SyncScheduler)
PREFETCH = web.AppKey("prefetch", ContentService)
