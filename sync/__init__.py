"""Diary sync between the box and the central platform.

Public surface: the hybrid logical clock and UUIDv7 ids that every syncable row and change-log
entry carries, and the signing of box-to-hub requests (RFC 9421 / RFC 9530). The protocol is in
docs/sync-protocol.md; push, pull and the reference hub build on these.
"""

from sync._clock import ClockError, HybridClock, Timestamp
from sync._ids import uuid7
from sync._merge import Conflict, Outcome, Write, apply_change, concurrent, merge, saw, stamp
from sync._signing import CLOCK_SKEW, SignatureError, sign_request, verify_request

__all__ = [
    "CLOCK_SKEW",
    "ClockError",
    "Conflict",
    "HybridClock",
    "Outcome",
    "SignatureError",
    "Timestamp",
    "Write",
    "apply_change",
    "concurrent",
    "merge",
    "saw",
    "sign_request",
    "stamp",
    "uuid7",
    "verify_request",
]
