"""Diary sync between the box and the central platform.

Public surface: the hybrid logical clock and UUIDv7 ids that every syncable row and change-log
entry carries. Sync proper (push, pull, merge, the reference hub) builds on these.
"""

from sync._clock import ClockError, HybridClock, Timestamp
from sync._ids import uuid7

__all__ = ["ClockError", "HybridClock", "Timestamp", "uuid7"]
