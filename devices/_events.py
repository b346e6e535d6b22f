"""What devices tell the box: typed events, keyed by the reader's stable id, never its address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Tap:
    """A card presented to a reader; `at` is when its frame's last byte arrived."""

    card_uid: str
    reader_id: str
    at: datetime
    #: time.monotonic() when the frame's last byte was read, to measure tap-to-commit latency
    received: float = 0.0


@dataclass(frozen=True)
class ReaderState:
    """A reader became available (link open) or unavailable (unplugged, link down)."""

    reader_id: str
    available: bool
    detail: str
    at: datetime
