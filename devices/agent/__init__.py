"""The panel agent `edge-panel`: runs on the panel's own computer, finds the box by mDNS, pairs
with a PIN shown on the panel, keeps one outbound WebSocket to the box and shows lessons in a
kiosk browser (DESIGN.md, Devices). It never imports the box (`edge`)."""

from devices.agent._agent import PanelAgent, backoff_delay
from devices.agent._chromium import BrowserNotFound, find_browser
from devices.agent._config import AgentConfig, ConfigError, load_config
from devices.agent._discover import BoxNotFound, discover_box
from devices.agent._display import Display, DisplayError, HeadlessDisplay
from devices.agent._session import Health, perform
from devices.agent._state import AgentState

__all__ = [
    "AgentConfig",
    "AgentState",
    "BoxNotFound",
    "BrowserNotFound",
    "ConfigError",
    "Display",
    "DisplayError",
    "HeadlessDisplay",
    "Health",
    "PanelAgent",
    "backoff_delay",
    "discover_box",
    "find_browser",
    "load_config",
    "perform",
]
