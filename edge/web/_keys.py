"""Typed application keys: every shared resource the handlers reach through `request.app`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from edge.accounts import LoginThrottle, Sessions
from edge.db import Database, ReadCache
from edge.diary import LiveRegisters
from edge.discovery import Advertiser
from edge.hubsync import SyncScheduler
from edge.panelagents import AgentHub
from edge.panels import PanelService
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
#: the mDNS advertisement (None when `[discovery] enabled = false`)
DISCOVERY: web.AppKey[Advertiser | None] = web.AppKey("discovery")
#: connected panel agents and the commands in flight to them
PANEL_AGENTS = web.AppKey("panel_agents", AgentHub)
PANELS = web.AppKey("panels", PanelService)
#: issues paired agents' device tokens (sessions that do not expire; revoking ends them)
DEVICE_TOKENS = web.AppKey("device_tokens", Sessions)
#: pairing requests per agent id and per client address
PAIR_THROTTLE = web.AppKey("pair_throttle", LoginThrottle)
