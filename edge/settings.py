"""Settings: one frozen object built once from TOML, then `EDGE_<SECTION>_<KEY>` overrides.

Every key is declared here with its type and default, so an unknown key or a wrong type is
reported by name at start-up instead of surfacing later as a strange failure.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from content_cache import TimeWindows

DEFAULT_CONFIG_PATH = Path("/etc/classroom-edge/edge.toml")
ENV_PREFIX = "EDGE_"


class SettingsError(ValueError):
    """A configuration problem, phrased for the person who wrote the file."""


@dataclass(frozen=True)
class BoxSettings:
    name: str = "Classroom Edge"
    data_dir: Path = Path("/var/lib/classroom-edge")


@dataclass(frozen=True)
class SchoolSettings:
    timezone: str = "UTC"
    # OneRoster sourcedId of this box's school, when a bundle holds several orgs
    sourced_id: str = ""


@dataclass(frozen=True)
class HttpSettings:
    host: str = "0.0.0.0"  # noqa: S104 - the box serves the school LAN
    port: int = 8080
    max_body_bytes: int = 1_048_576
    public_url: str = ""


@dataclass(frozen=True)
class AuthSettings:
    session_hours: float = 12.0
    account_attempts: int = 5
    address_attempts: int = 30
    attempt_window_seconds: float = 300.0
    cookie_secure: bool = False


@dataclass(frozen=True)
class DiarySettings:
    mark_min: int = 1
    mark_max: int = 5


@dataclass(frozen=True)
class AttendanceSettings:
    #: a tap later than this after the lesson's start marks the student late
    late_after_minutes: int = 5
    #: a classroom tap this long before a lesson starts already counts for it
    early_minutes: int = 15


@dataclass(frozen=True)
class ReaderSettings:
    #: the same card on the same reader within this many seconds is one tap
    debounce_seconds: float = 2.0
    #: how often the box looks for readers added or removed from the command line
    reload_seconds: float = 5.0
    #: first wait before reopening a lost reader; doubles up to 16 times this (5 … 80 s)
    backoff_seconds: float = 5.0


@dataclass(frozen=True)
class TimetableSettings:
    horizon_days: int = 366


@dataclass(frozen=True)
class StorageSettings:
    reader_threads: int = 4
    busy_timeout_ms: int = 5000


@dataclass(frozen=True)
class SyncSettings:
    """Diary sync with the hub (docs/sync-protocol.md §10)."""

    enabled: bool = True
    #: a round this often while the hub answers
    interval_minutes: float = 5.0
    #: after a failed round, wait uniformly up to backoff_min · 2^(failures-1), at most backoff_max
    backoff_min_seconds: float = 10.0
    backoff_max_seconds: float = 600.0
    #: while the hub is unreachable, ask its /healthz this often; a round at once when it answers
    probe_seconds: float = 30.0


@dataclass(frozen=True)
class ContentSettings:
    """Lesson content: the blob store under data_dir/content and how it is served on the LAN."""

    #: the blob store never holds more than this (least recently used unpinned blobs go first)
    quota_mb: int = 20000
    #: and always leaves this much of the disk free
    reserve_free_mb: int = 2000
    #: small blobs (up to 256 KiB) are served from memory, at most this much in all
    memory_cache_mb: int = 64
    #: fetch from the hub on a schedule (`edge content fetch` works either way)
    fetch_enabled: bool = True
    #: prefetch what lessons in the next this many school days need, first
    plan_days: int = 5
    #: refresh the catalog and plan the prefetch this often while the hub answers
    refresh_minutes: float = 60.0
    #: download at most this fast, in kbit/s (0: no cap)
    rate_kbit: int = 0
    #: download only inside these local-time windows, e.g. "18:00-07:00,12:30-13:15" ("": always)
    windows: str = ""
    #: at most this many downloads at once
    parallel: int = 2
    #: after a failed round (the hub away), wait uniformly up to backoff_min · 2^(failures-1),
    #: at most max, before the next
    backoff_min_seconds: float = 5.0
    backoff_max_seconds: float = 600.0
    #: a connection to the hub for a download not made within this long is tried again
    connect_timeout_seconds: float = 3.5
    #: a download that receives nothing for this long resumes on a new connection at once (a
    #: cut link is noticed in seconds, not after TCP's retransmissions back off to minutes)
    stall_seconds: float = 3.0


@dataclass(frozen=True)
class DiscoverySettings:
    """mDNS: the box advertises `_classedge._tcp.local.` and `_http._tcp.local.` on the LAN."""

    enabled: bool = True
    #: advertise on these IPv4 addresses only, comma-separated ("": every address but loopback)
    interfaces: str = ""
    #: look for changed addresses this often, and advertise again when they changed
    address_poll_seconds: float = 30.0


@dataclass(frozen=True)
class PanelSettings:
    """Panel agents (`edge-panel`): PIN pairing and the commands the box sends them."""

    #: a pairing PIN is valid this long
    pin_minutes: float = 10.0
    #: this many wrong PINs in a row lock pairing for that agent …
    pin_attempts: int = 3
    #: … for this long
    lock_minutes: float = 15.0
    #: pairing requests per client address within the window
    pair_requests: int = 10
    pair_window_seconds: float = 60.0
    #: a pairing agent asks this often whether its PIN was confirmed
    pair_poll_seconds: float = 2.0
    #: an agent that has not acknowledged a command within this is reported as timed out
    command_timeout_seconds: float = 5.0
    #: WebSocket ping interval; an agent silent for half of it more is dropped
    heartbeat_seconds: float = 20.0
    #: agents report their idle time and health this often
    report_seconds: float = 15.0
    #: the schedule powers a panel on this long before the first lesson in its room …
    power_on_lead_minutes: float = 10.0
    #: … and off this long after the last
    power_off_lag_minutes: float = 10.0
    #: a panel whose agent saw no input this long, with no lesson under way, is blanked
    idle_blank_minutes: float = 15.0
    #: a panel refuses commands this long after switching power (DEVICES.md)
    transition_seconds: float = 20.0
    #: the longest wait for a panel's answer to one command
    answer_timeout_seconds: float = 3.0
    #: the schedule and its switches run (`edge panels power` works either way)
    schedule_enabled: bool = True


@dataclass(frozen=True)
class LogSettings:
    level: str = "INFO"


@dataclass(frozen=True)
class Settings:
    box: BoxSettings = field(default_factory=BoxSettings)
    school: SchoolSettings = field(default_factory=SchoolSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    diary: DiarySettings = field(default_factory=DiarySettings)
    attendance: AttendanceSettings = field(default_factory=AttendanceSettings)
    readers: ReaderSettings = field(default_factory=ReaderSettings)
    timetable: TimetableSettings = field(default_factory=TimetableSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    content: ContentSettings = field(default_factory=ContentSettings)
    discovery: DiscoverySettings = field(default_factory=DiscoverySettings)
    panels: PanelSettings = field(default_factory=PanelSettings)
    log: LogSettings = field(default_factory=LogSettings)

    @property
    def database_path(self) -> Path:
        return self.box.data_dir / "edge.db"

    @property
    def keys_dir(self) -> Path:
        return self.box.data_dir / "keys"

    @property
    def content_dir(self) -> Path:
        return self.box.data_dir / "content"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.school.timezone)

    def replace(self, section: str, **values: Any) -> Settings:
        """A copy with some keys of one section changed (used by `edge demo` and tests)."""
        current = getattr(self, section)
        return dataclasses.replace(self, **{section: dataclasses.replace(current, **values)})


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read `path` (or the default file when it exists), then apply environment overrides."""
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    source = str(path or DEFAULT_CONFIG_PATH)
    if path is not None or DEFAULT_CONFIG_PATH.exists():
        raw = _read_toml(path or DEFAULT_CONFIG_PATH)
    sections = {f.name: f for f in dataclasses.fields(Settings)}
    for key in raw:
        if key not in sections:
            raise SettingsError(f"{source}: unknown section [{key}]")
    built = {
        name: _build_section(name, _section_type(f), raw.get(name, {}), source, environ)
        for name, f in sections.items()
    }
    _reject_unknown_env(environ, sections)
    settings = Settings(**built)
    _check_values(settings, source)
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as err:
        raise SettingsError(f"{path}: no such configuration file") from err
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"{path}: not valid TOML: {err}") from err


def _section_type(f: dataclasses.Field[Any]) -> type[Any]:
    hints = typing.get_type_hints(Settings)
    section_type: type[Any] = hints[f.name]
    return section_type


def _build_section(
    name: str, cls: type[Any], raw: Any, source: str, environ: Mapping[str, str]
) -> Any:
    if not isinstance(raw, dict):
        raise SettingsError(f"{source}: [{name}] must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in known:
            raise SettingsError(f"{source}: unknown key {name}.{key}")
    values: dict[str, Any] = {}
    for key in known:
        env_name = f"{ENV_PREFIX}{name}_{key}".upper()
        if env_name in environ:
            values[key] = _from_env(env_name, environ[env_name], hints[key])
        elif key in raw:
            values[key] = _from_toml(f"{source}: {name}.{key}", raw[key], hints[key])
    return cls(**values)


def _from_toml(where: str, value: Any, expected: Any) -> Any:
    if expected is Path:
        if isinstance(value, str):
            return Path(value)
    elif expected is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif expected is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(value, expected):
        return value
    raise SettingsError(f"{where}: expected {_type_name(expected)}, got {type(value).__name__}")


def _from_env(name: str, text: str, expected: Any) -> Any:
    try:
        if expected is bool:
            lowered = text.strip().lower()
            if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(text)
            return lowered in {"1", "true", "yes", "on"}
        if expected is Path:
            return Path(text)
        return expected(text)
    except ValueError as err:
        raise SettingsError(f"{name}: expected {_type_name(expected)}, got {text!r}") from err


def _type_name(expected: Any) -> str:
    names = {int: "integer", float: "number", bool: "boolean", str: "string", Path: "path"}
    if isinstance(expected, types.UnionType):
        return " or ".join(_type_name(arg) for arg in typing.get_args(expected))
    return names.get(expected, str(expected))


def _reject_unknown_env(environ: Mapping[str, str], sections: Mapping[str, Any]) -> None:
    known = {
        f"{ENV_PREFIX}{name}_{f.name}".upper()
        for name, section in sections.items()
        for f in dataclasses.fields(_section_type(section))
    }
    for key in environ:
        if (
            key.startswith(ENV_PREFIX)
            and key.split("_")[1].lower() in sections
            and key not in known
        ):
            raise SettingsError(f"{key}: unknown setting")


def _check_values(settings: Settings, source: str) -> None:
    try:
        settings.tz  # noqa: B018 - resolving the zone is the check
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
        raise SettingsError(
            f"{source}: school.timezone: unknown time zone {settings.school.timezone!r}"
        ) from err
    if not 0 <= settings.http.port < 65536:
        raise SettingsError(f"{source}: http.port: {settings.http.port} is not a TCP port")
    if settings.diary.mark_min >= settings.diary.mark_max:
        raise SettingsError(f"{source}: diary.mark_min must be below diary.mark_max")
    _check_sync(settings.sync, source)
    _check_content(settings.content, source)
    _check_positive(settings.discovery, "discovery", ("address_poll_seconds",), source)
    _check_positive(settings.panels, "panels", _POSITIVE_PANEL_KEYS, source)
    if settings.log.level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"{source}: log.level: {settings.log.level!r} is not a log level")


def _check_sync(sync: SyncSettings, source: str) -> None:
    for name in ("interval_minutes", "backoff_min_seconds", "probe_seconds"):
        if not getattr(sync, name) > 0:
            raise SettingsError(f"{source}: sync.{name} must be above 0")
    if sync.backoff_max_seconds < sync.backoff_min_seconds:
        raise SettingsError(
            f"{source}: sync.backoff_max_seconds must be at least backoff_min_seconds"
        )


def _check_content(content: ContentSettings, source: str) -> None:
    for name in ("quota_mb", "reserve_free_mb", "memory_cache_mb", "plan_days", "rate_kbit"):
        if getattr(content, name) < 0:
            raise SettingsError(f"{source}: content.{name} must not be negative")
    for name in ("refresh_minutes", "parallel", "backoff_min_seconds"):
        if not getattr(content, name) > 0:
            raise SettingsError(f"{source}: content.{name} must be above 0")
    if content.backoff_max_seconds < content.backoff_min_seconds:
        raise SettingsError(
            f"{source}: content.backoff_max_seconds must be at least backoff_min_seconds"
        )
    try:
        TimeWindows.parse(content.windows)
    except ValueError as err:
        raise SettingsError(f"{source}: content.windows: {err}") from err


_POSITIVE_PANEL_KEYS = (
    "pin_minutes",
    "pin_attempts",
    "lock_minutes",
    "pair_requests",
    "pair_window_seconds",
    "pair_poll_seconds",
    "command_timeout_seconds",
    "heartbeat_seconds",
    "report_seconds",
)


def _check_positive(section: Any, name: str, keys: tuple[str, ...], source: str) -> None:
    for key in keys:
        if not getattr(section, key) > 0:
            raise SettingsError(f"{source}: {name}.{key} must be above 0")
