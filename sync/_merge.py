"""The merge rule of docs/sync-protocol.md §5–6: per-field last writer wins by hybrid-clock
timestamp, and every value that loses to a write that had not seen it goes to the conflict log.

Pure and storage-independent: the hub's store and the box's storage hold `Write`s however they
like and call `merge` with the freshest knowledge they have of each write — in particular its
feed position, which a box learns for its own changes from push answers and pull pages after the
hub accepted them (refresh the stored write with `dataclasses.replace(write, feed_seq=…)`).
Local writes take their timestamp from `stamp`, so that they beat whatever they overwrite.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass

from sync._clock import Timestamp
from sync._wire import Change

#: A JSON scalar, the only kind of field value a change carries.
Value = str | int | float | bool | None
Key = tuple[str, str, str]


@dataclass(frozen=True)
class Write:
    """One field of one change, as a replica holds it."""

    table: str
    row: str
    field: str
    value: Value
    hlc: str  #: encoded `Timestamp`: text order is time order, as in SQLite
    node: str  #: the writer's node id
    node_seq: int  #: the writer's own number for the change (a box's `seq`; the hub counts too)
    cursor: int  #: the feed position its writer had applied when it wrote it (§5)
    feed_seq: int | None = None  #: its place in the school feed, once the hub accepted it

    @property
    def key(self) -> Key:
        return (self.table, self.row, self.field)


def field_writes(change: Change, node: str, node_seq: int, feed_seq: int | None) -> Iterator[Write]:
    """A change as the field writes the merge compares, one per field it carries."""
    for name, value in change.fields.items():
        yield Write(
            change.table, change.row, name, value, change.hlc, node, node_seq, change.cursor,
            feed_seq,
        )  # fmt: skip


@dataclass(frozen=True)
class Conflict:
    """A value that lost to a concurrent write (§6): what the conflict log records."""

    loser: Write
    winner: Write


@dataclass(frozen=True)
class Outcome:
    keep: Write
    conflict: Conflict | None = None


def saw(later: Write, earlier: Write) -> bool:
    """Whether `later`'s writer had `earlier` when it wrote (§5).

    A node sees its own earlier changes; anyone sees what the feed held up to its cursor. A write
    not (yet known to be) in the feed was seen only by its own node.
    """
    if later.node == earlier.node and later.node_seq > earlier.node_seq:
        return True
    return earlier.feed_seq is not None and later.cursor >= earlier.feed_seq


def concurrent(a: Write, b: Write) -> bool:
    """Neither write saw the other: overwriting one with the other loses an intention."""
    return not saw(a, b) and not saw(b, a)


def _same_value(a: Value, b: Value) -> bool:
    # JSON distinguishes true from 1, Python's == does not.
    return type(a) is type(b) and a == b


def merge(current: Write | None, incoming: Write) -> Outcome:
    """The version of a field to keep when `incoming` meets the `current` one (§6).

    The higher timestamp wins on every replica whatever the order of arrival, which is what
    makes replicas converge; an equal timestamp is the same write again (timestamps carry the
    node id, and a node never stamps two writes of a field alike), so replays change nothing.
    """
    if current is None:
        return Outcome(incoming)
    if incoming.hlc == current.hlc:
        return Outcome(current)
    if incoming.hlc > current.hlc:
        winner, loser = incoming, current
    else:
        winner, loser = current, incoming
    if concurrent(winner, loser) and not _same_value(winner.value, loser.value):
        return Outcome(winner, Conflict(loser, winner))
    return Outcome(winner)


def stamp(now: Timestamp, replaced: Iterable[Write | None]) -> Timestamp:
    """The timestamp of a local change: the clock's `now`, or just above the newest version it
    replaces when that one is later (§6).

    A node clamps a timestamp received from too far ahead (§2), so its clock can lag behind a
    value it has already seen; stamped by the clock alone, an edit of that value would lose to
    it on every replica, and unlogged, since the edit saw it. Stamped this way a write always
    beats everything it saw, and the highest timestamp is the last intention.
    """
    stamps = [Timestamp.decode(write.hlc) for write in replaced if write is not None]
    newest = max(stamps, default=None)
    if newest is None or now > newest:
        return now
    return Timestamp(newest.wall_ms, newest.counter + 1, now.node)


def apply_change(state: MutableMapping[Key, Write], writes: Iterable[Write]) -> list[Conflict]:
    """Merge `writes` into an in-memory replica; returns the conflicts to log."""
    conflicts: list[Conflict] = []
    for write in writes:
        outcome = merge(state.get(write.key), write)
        state[write.key] = outcome.keep
        if outcome.conflict is not None:
            conflicts.append(outcome.conflict)
    return conflicts
