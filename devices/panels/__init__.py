"""Classroom panel control (DEVICES.md, Interactive panels): one pure codec per protocol and one
async driver per physical panel.

    panel = await open_panel("samsung", "tcp://10.0.4.21:1515")
    state = await panel.power(True)  # returns once the ~20 s transition is over and read back
    await panel.select_input("hdmi1")

Every failure is a `PanelError` naming the panel's link: `PanelBusy` inside the power transition
(`retry_after` seconds left), `PanelTimeout` when the panel did not answer. A link that dropped
is reopened by the next call (with backoff), which reads the state back first.
"""

from devices.panels._driver import Panel
from devices.panels._model import (
    Field,
    PanelBusy,
    PanelCodec,
    PanelError,
    PanelState,
    PanelTimeout,
    PanelTiming,
    Power,
    Reply,
)
from devices.panels._open import (
    PANEL_PROTOCOLS,
    SERIAL_SPEEDS,
    TCP_PORTS,
    make_panel_codec,
    open_panel,
    panel_transport,
)
from devices.panels._tables import INPUT_NAMES, InputTable
from devices.panels.lfd import LfdCodec
from devices.panels.lg import LgCodec
from devices.panels.promethean import PrometheanCodec
from devices.panels.samsung import SamsungCodec
from devices.panels.smart import SmartCodec

__all__ = [
    "INPUT_NAMES",
    "PANEL_PROTOCOLS",
    "SERIAL_SPEEDS",
    "TCP_PORTS",
    "Field",
    "InputTable",
    "LfdCodec",
    "LgCodec",
    "Panel",
    "PanelBusy",
    "PanelCodec",
    "PanelError",
    "PanelState",
    "PanelTimeout",
    "PanelTiming",
    "Power",
    "PrometheanCodec",
    "Reply",
    "SamsungCodec",
    "SmartCodec",
    "make_panel_codec",
    "open_panel",
    "panel_transport",
]
