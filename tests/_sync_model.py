"""The replicas of the sync property tests, in memory: the hub and a box, each following
docs/sync-protocol.md §5–8 to the letter, exchanging messages rather than HTTP requests.

A change is a tuple of `Write`s (one per field) sharing node, sequence, timestamp and cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sync import HybridClock, Timestamp
from sync._merge import Conflict, Key, Value, Write, apply_change, stamp

Change = tuple[Write, ...]


@dataclass(frozen=True)
class Edit:
    """A local write on replica `replica` (0 the hub, 1 and 2 the boxes)."""

    replica: int
    table: str
    row: str
    fields: tuple[tuple[str, Value], ...]


@dataclass(frozen=True)
class PushRequest:
    box: str
    first: int
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class PushAnswer:
    box: str
    applied_through: int
    positions: dict[int, int] | None  # the batch's feed positions; None for 409 gap


@dataclass(frozen=True)
class PullRequest:
    box: str
    since: int
    limit: int


@dataclass(frozen=True)
class PullAnswer:
    box: str
    since: int
    next: int
    entries: tuple[Change, ...]


Message = PushRequest | PushAnswer | PullRequest | PullAnswer


class Replica:
    def __init__(self, node: str, wall: Callable[[], float]) -> None:
        self.node = node
        self.clock = HybridClock(node, wall=wall)
        self.state: dict[Key, Write] = {}
        self.conflicts: list[Conflict] = []
        self.written: list[Change] = []  # its own changes: node_seq is the index + 1

    def write(self, edit: Edit, cursor: int, feed_seq: int | None = None) -> Change:
        replaced = [self.state.get((edit.table, edit.row, name)) for name, _ in edit.fields]
        hlc = stamp(self.clock.now(), replaced).encode()
        seq = len(self.written) + 1
        change = tuple(
            Write(edit.table, edit.row, name, value, hlc, self.node, seq, cursor, feed_seq)
            for name, value in edit.fields
        )
        self.written.append(change)
        self.conflicts += apply_change(self.state, change)
        return change

    def receive(self, change: Change) -> None:
        self.clock.observe(Timestamp.decode(change[0].hlc))
        self.conflicts += apply_change(self.state, change)


class Hub(Replica):
    def __init__(self, node: str, wall: Callable[[], float]) -> None:
        super().__init__(node, wall)
        self.feed: list[Change] = []
        self.applied: dict[str, int] = {}  # applied_through, per box, forever
        self.positions: dict[tuple[str, int], int] = {}  # (node, node_seq) → feed_seq

    def central_edit(self, edit: Edit) -> None:
        self.feed.append(self.write(edit, len(self.feed), len(self.feed) + 1))

    def push(self, request: PushRequest) -> PushAnswer:
        """§7: replays change nothing, a gap is refused, the rest is merged and appended."""
        done = self.applied.get(request.box, 0)
        if request.first > done + 1:
            return PushAnswer(request.box, done, None)
        for seq, change in enumerate(request.changes, request.first):
            if seq > done:
                self._append(change)
        last = request.first + len(request.changes) - 1
        self.applied[request.box] = max(done, last)
        seqs = range(request.first, last + 1)
        positions = {seq: self.positions[(request.box, seq)] for seq in seqs}
        return PushAnswer(request.box, self.applied[request.box], positions)

    def _append(self, change: Change) -> None:
        feed_seq = len(self.feed) + 1
        change = tuple(replace(write, feed_seq=feed_seq) for write in change)
        self.feed.append(change)
        self.positions[(change[0].node, change[0].node_seq)] = feed_seq
        self.receive(change)

    def pull(self, request: PullRequest) -> PullAnswer:
        """§8: the entries after `since`, leaving out the asking box's own."""
        entries: list[Change] = []
        position = request.since
        while position < len(self.feed) and len(entries) < request.limit:
            position += 1
            if self.feed[position - 1][0].node != request.box:
                entries.append(self.feed[position - 1])
        return PullAnswer(request.box, request.since, position, tuple(entries))


class Box(Replica):
    def __init__(self, node: str, wall: Callable[[], float]) -> None:
        super().__init__(node, wall)
        self.cursor = 0  # the feed position applied, stored with the entries (§8)
        self.acked = 0  # the hub's applied_through, as last heard
        self.sent = 0  # the last sequence sent
        self.positions: dict[int, int] = {}  # feed positions of its own changes, by seq

    def edit(self, edit: Edit) -> None:
        self.write(edit, self.cursor)

    def push_request(self, size: int) -> PushRequest | None:
        """The next batch, without waiting for earlier answers; once all is sent, a retry of
        what is not acknowledged (its answer may have been lost)."""
        first = (self.sent if self.sent < len(self.written) else self.acked) + 1
        if first > len(self.written):
            return None
        batch = tuple(self.written[first - 1 :][:size])
        self.sent = max(self.sent, first + len(batch) - 1)
        return PushRequest(self.node, first, batch)

    def on_push_answer(self, answer: PushAnswer) -> None:
        self.acked = max(self.acked, answer.applied_through)
        if answer.positions is None:  # 409 gap: send again from applied_through + 1
            self.sent = self.acked
        else:
            self._learn(answer.positions)

    def on_page(self, page: PullAnswer) -> None:
        """Applies the entries not applied yet and stores the new cursor, as one transaction.

        The positions in the page's range that it leaves out are this box's own changes, in
        sequence order (§5): they are learnt first, whether or not the push answer came.
        """
        if page.next <= self.cursor:
            return
        fresh = [change for change in page.entries if _position(change) > self.cursor]
        listed = {_position(change) for change in fresh}
        own = [at for at in range(self.cursor + 1, page.next + 1) if at not in listed]
        known = len([at for at in self.positions.values() if at <= self.cursor])
        self._learn({known + index: at for index, at in enumerate(own, 1)})
        for change in fresh:
            self.receive(change)
        self.cursor = page.next

    def _learn(self, positions: dict[int, int]) -> None:
        """Refreshes the stored versions of its own changes with their feed positions."""
        for seq, feed_seq in positions.items():
            assert self.positions.setdefault(seq, feed_seq) == feed_seq, "hub contradicts itself"
        for key, write in self.state.items():
            if write.node == self.node and write.node_seq in positions:
                self.state[key] = replace(write, feed_seq=positions[write.node_seq])


def _position(change: Change) -> int:
    assert change[0].feed_seq is not None, "a feed entry without its position"
    return change[0].feed_seq
