"""What every panel protocol shares: the settings a driver reads and writes, the replies its codec
decodes, the errors and timings of the driver, and the contract each codec keeps."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal, Protocol

Field = Literal["power", "input", "volume", "mute"]
Power = Literal["on", "standby", "unknown"]


class PanelError(Exception):
    """A panel command failed; the message says what failed, on which panel link."""


class PanelBusy(PanelError):
    """The panel is inside its power transition; try again in `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PanelTimeout(PanelError):
    """The panel did not answer in time."""


@dataclass(frozen=True)
class PanelState:
    """`None` where the panel cannot say (a field its protocol cannot read, never set)."""

    power: Power = "unknown"
    input: str | None = None
    volume: int | None = None
    muted: bool | None = None


@dataclass(frozen=True)
class PanelTiming:
    #: the longest wait for one answer
    timeout: float = 3.0
    #: after a power change the panel refuses commands this long: no command or poll meanwhile
    transition_seconds: float = 20.0
    #: power-on is sent up to this many times until acknowledged (SMART waking, Samsung)
    power_on_attempts: int = 3
    #: the wait for an acknowledgement before power-on is sent again
    retry_seconds: float = 2.0
    #: over LAN, a Samsung is reconnected no sooner than this after power-on
    lan_reconnect_seconds: float = 10.0
    #: after failing to open the link, no new attempt for these delays, one per failure in a row
    backoff: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0)

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "backoff":
                if not value or min(value) < 0:
                    raise ValueError(f"backoff must be delays of 0 s or more, not {value!r}")
            elif value < 0 or (field.name in ("timeout", "power_on_attempts") and value <= 0):
                raise ValueError(f"{field.name} cannot be {value!r}")


@dataclass(frozen=True)
class Reply:
    """One decoded answer from a panel. `about` is None for a bare acknowledgement (LFD `+`/`-`).

    An input code missing from the codec's table arrives as `code:<code>`; `refused` holds the
    panel's refusal (NAK, NG, `-`, `invalid cmd=…`) as it said it.
    """

    about: Field | None
    power: Power | None = None
    input: str | None = None
    volume: int | None = None
    muted: bool | None = None
    refused: str | None = None

    def merged_into(self, state: PanelState) -> PanelState:
        return PanelState(
            power=state.power if self.power is None else self.power,
            input=state.input if self.input is None else self.input,
            volume=state.volume if self.volume is None else self.volume,
            muted=state.muted if self.muted is None else self.muted,
        )


class PanelCodec(Protocol):
    """Pure: commands to the exact bytes of the protocol, and bytes (any chunking, any noise) to
    replies. Encoders raise ValueError for what the protocol cannot carry."""

    #: the fields a query can read back
    readable: frozenset[Field]
    #: sets get no reply at all (Promethean): the driver reads the state back instead
    silent_sets: bool
    #: the panel hears nothing but power-on in standby (SMART)
    deaf_when_off: bool
    #: over LAN the connection must be reopened after power-on (Samsung)
    reconnect_after_power_on: bool

    @property
    def discarded(self) -> int:
        """Bytes thrown away so far: noise, bad checksums, answers from another panel."""
        ...

    def set_power(self, on: bool) -> bytes: ...

    def set_input(self, name: str) -> bytes: ...

    def set_volume(self, level: int) -> bytes: ...

    def set_mute(self, muted: bool) -> bytes: ...

    def query(self, field: Field) -> bytes: ...

    def feed(self, data: bytes) -> list[Reply]: ...

    def reset(self) -> None:
        """Forget a partial frame (after a timeout or a reconnect)."""
        ...
