"""The contract every reader codec keeps: pure, bytes in, card uids (and bytes to send) out.

A codec never touches a port or a clock of its own: the runner feeds it what arrived, tells it
the time, and writes back whatever it asks to send. That makes every codec fuzzable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Decoded:
    uids: list[str] = field(default_factory=list)  # cards read, in order
    reply: bytes = b""  # bytes the reader expects from the host now (PN532 polling)


class ReaderCodec(Protocol):
    def start(self, now: float) -> bytes:
        """Bytes to send after the link (re)opens; b"" for readers that only talk."""
        ...

    def feed(self, data: bytes, now: float) -> Decoded:
        """Consume bytes as they arrived (any split, any noise)."""
        ...

    def tick(self, now: float) -> bytes:
        """Called every few tens of ms: bytes to send now (a retry, the next poll) or b""."""
        ...
