"""A panel from its protocol name, its address and its settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from devices._address import parse_address
from devices._transport import SerialTransport, TcpTransport, Transport
from devices.panels._driver import Panel
from devices.panels._model import PanelCodec, PanelTiming
from devices.panels.lfd import LfdCodec
from devices.panels.lg import LgCodec
from devices.panels.promethean import PrometheanCodec
from devices.panels.samsung import SamsungCodec
from devices.panels.smart import SmartCodec

PANEL_PROTOCOLS: frozenset[str] = frozenset({"smart", "promethean", "lfd", "samsung", "lg"})
#: the serial speed of each protocol unless told otherwise (Promethean's is not documented)
SERIAL_SPEEDS: dict[str, int] = {
    "smart": 19200,
    "promethean": 9600,
    "lfd": 9600,  # some BenQ models: 38400
    "samsung": 9600,
    "lg": 9600,
}
#: the TCP port each protocol's panels listen on, for addresses like tcp://10.0.4.21:1515
TCP_PORTS: dict[str, tuple[int, ...]] = {
    "promethean": (5000,),
    "lfd": (5000, 4660),  # ViewSonic, BenQ
    "samsung": (1515,),
    "lg": (9761,),
}
_ADDRESSED: dict[str, Callable[..., PanelCodec]] = {
    "lfd": LfdCodec,
    "samsung": SamsungCodec,
    "lg": LgCodec,
}


def make_panel_codec(
    protocol: str,
    *,
    panel_id: int | None = None,
    inputs: Mapping[str, str] | None = None,
    upper_case_inputs: bool = False,
) -> PanelCodec:
    """Raises ValueError for an unknown protocol or a setting it does not take."""
    if protocol not in PANEL_PROTOCOLS:
        known = ", ".join(sorted(PANEL_PROTOCOLS))
        raise ValueError(f"unknown panel protocol {protocol!r} (known: {known})")
    if upper_case_inputs and protocol != "smart":
        raise ValueError("upper_case_inputs is a setting of SMART panels only")
    if protocol in _ADDRESSED:
        return _ADDRESSED[protocol](panel_id=1 if panel_id is None else panel_id, inputs=inputs)
    if panel_id is not None:
        raise ValueError(f"{protocol} panels have no panel id")
    if protocol == "smart":
        return SmartCodec(inputs=inputs, upper_case_inputs=upper_case_inputs)
    return PrometheanCodec(inputs=inputs)


def panel_transport(address: str, baudrate: int) -> Transport:
    """A serial device path (/dev/serial/by-id/…) or tcp://HOST:PORT (socket://HOST:PORT)."""
    transport = parse_address(address, baudrate)
    if not isinstance(transport, SerialTransport | TcpTransport):
        raise ValueError(f"{address!r}: a panel is reached by a serial port or tcp://HOST:PORT")
    return transport


async def open_panel(
    protocol: str,
    address: str,
    *,
    transition_seconds: float = 20.0,
    timeout: float = 3.0,  # noqa: ASYNC109 - the answer timeout of each command, not this call's
    power_on_attempts: int = 3,
    retry_seconds: float = 2.0,
    lan_reconnect_seconds: float = 10.0,
    backoff: tuple[float, ...] = PanelTiming.backoff,
    panel_id: int | None = None,
    baudrate: int | None = None,
    inputs: Mapping[str, str] | None = None,
    upper_case_inputs: bool = False,
) -> Panel:
    """A driver for one panel, its link opened if it can be (if not, the first call retries).

    `panel_id`: the LFD, Samsung or LG id (default 1); `inputs`: input name → the code its
    protocol carries, to add or correct inputs; `upper_case_inputs`: older SMART firmware.
    Raises ValueError for a protocol, address or setting that cannot work.
    """
    codec = make_panel_codec(
        protocol, panel_id=panel_id, inputs=inputs, upper_case_inputs=upper_case_inputs
    )
    transport = panel_transport(address, baudrate or SERIAL_SPEEDS[protocol])
    timing = PanelTiming(
        timeout=timeout,
        transition_seconds=transition_seconds,
        power_on_attempts=power_on_attempts,
        retry_seconds=retry_seconds,
        lan_reconnect_seconds=lan_reconnect_seconds,
        backoff=backoff,
    )
    panel = Panel(protocol, codec, transport, timing)
    await panel.connect()
    return panel
