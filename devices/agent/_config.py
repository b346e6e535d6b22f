"""The agent's configuration: a small TOML file (all keys optional), then command-line flags.

box_url = "http://10.0.0.5:8080"   # "" : find the box by mDNS (_classedge._tcp.local.)
state_dir = "/var/lib/edge-panel"  # the agent's id and device token live here
name = "Room 12 panel"             # shown to the teacher who confirms the PIN
room_hint = "Room 12"
headless = false                   # true: no browser, no keys (tests, trials)
browser = ""                       # Chromium binary; "" : look for chromium, google-chrome
next_key = "page_down"             # the key `next` presses (a pynput Key name) …
previous_key = "page_up"           # … and `previous`
no_sandbox = false                 # true: Chromium without its sandbox, honoured only as root
mdns_interfaces = ""               # browse mDNS on these IPv4 addresses only ("" : all)
"""

from __future__ import annotations

import dataclasses
import socket
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path("/etc/edge-panel/agent.toml")


class ConfigError(ValueError):
    """A configuration problem, phrased for the technician who wrote the file."""


@dataclass(frozen=True)
class AgentConfig:
    box_url: str = ""
    state_dir: Path = Path("/var/lib/edge-panel")
    name: str = dataclasses.field(default_factory=socket.gethostname)
    room_hint: str = ""
    headless: bool = False
    browser: str = ""
    next_key: str = "page_down"
    previous_key: str = "page_up"
    #: Chromium refuses to run as root with its sandbox; the agent runs as the screen's user, so
    #: this is for containers and CI only, and ignored for any user but root
    no_sandbox: bool = False
    mdns_interfaces: str = ""
    #: first wait before reconnecting; doubles after each failure up to backoff_max (full jitter)
    backoff_min_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    heartbeat_seconds: float = 20.0
    discovery_seconds: float = 10.0

    def replace(self, **values: Any) -> AgentConfig:
        return dataclasses.replace(self, **{k: v for k, v in values.items() if v is not None})


def load_config(path: Path | None) -> AgentConfig:
    """The file at `path` (or the default one, when it exists) over the defaults."""
    chosen = path or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    if chosen is None:
        return AgentConfig()
    try:
        raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{chosen}: {err}") from err
    fields = {f.name: f for f in dataclasses.fields(AgentConfig)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            raise ConfigError(f"{chosen}: unknown key {key!r}")
        values[key] = _typed(f"{chosen}: {key}", value, type(getattr(AgentConfig(), key)))
    return AgentConfig(**values)


def _typed(where: str, value: Any, expected: type) -> Any:
    if expected is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if issubclass(expected, Path) and isinstance(value, str):
        return Path(value)
    if isinstance(value, expected):
        return value
    raise ConfigError(f"{where}: expected {expected.__name__}, got {type(value).__name__}")
