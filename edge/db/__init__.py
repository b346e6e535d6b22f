"""SQLite storage: WAL, one writer thread fed by a queue, reads off the event loop."""

from edge.db._cache import ReadCache
from edge.db._connect import Row
from edge.db._database import Database, StorageError
from edge.db._schema import SYNCABLE
from edge.db._tx import NotFound, Tx

__all__ = ["SYNCABLE", "Database", "NotFound", "ReadCache", "Row", "StorageError", "Tx"]
