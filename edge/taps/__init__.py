"""Card taps: reader registry, the service that runs readers, tap → attendance / entry-exit."""

from edge.taps._registry import (
    ReaderError,
    add_reader,
    assign_card,
    list_readers,
    remove_reader,
    unknown_cards,
)
from edge.taps._resolve import TapResult, record_tap
from edge.taps._service import ReaderService

__all__ = [
    "ReaderError",
    "ReaderService",
    "TapResult",
    "add_reader",
    "assign_card",
    "list_readers",
    "record_tap",
    "remove_reader",
    "unknown_cards",
]
