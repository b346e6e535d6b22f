"""A scripted school for the sync property tests: the hub and two boxes of tests._sync_model,
a network that delays, duplicates, reorders and loses messages, and a wall clock that each node
reads skewed. `decode_step` turns an integer into a step, so hypothesis draws scripts cheaply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tests._sync_model import (
    Box,
    Edit,
    Hub,
    Message,
    PullRequest,
    PushAnswer,
    PushRequest,
    Replica,
)

HOUR_MS = 3_600_000
START_MS = 1_800_000_000_000
NODES = ("hub", "boxa", "boxb")
TABLES, FIELDS, VALUES = ("marks", "attendance"), ("status", "note"), "abc"
DELETE = ("deleted", 1)
#: what an edit writes: few values, so that collisions and equal values are frequent
CHOICES: list[tuple[tuple[str, str | int], ...]] = [
    (DELETE,),
    *[((name, value),) for name in FIELDS for value in VALUES],
    *[(("status", value), ("note", other)) for value in VALUES for other in VALUES],
]
#: step kinds, weighted: the interesting races need edits and deliveries, some of the newest;
#: code 0 is a tick of 0 ms, a no-op, so that the shortest scripts shrink to readable ones
KINDS: tuple[str, ...] = ("tick", "mess", "push", "push", "pull", "pull")
KINDS += ("edit",) * 4 + ("deliver",) * 3 + ("newest",) * 3
CODES = len(KINDS) * 3 * 600_000  # decode_step(code) for code in range(CODES): every step


@dataclass(frozen=True)
class Push:
    box: int
    size: int


@dataclass(frozen=True)
class Pull:
    box: int
    limit: int


@dataclass(frozen=True)
class Net:
    """The network acts on the in-flight message at `index` (modulo their number)."""

    action: Literal["deliver", "duplicate", "drop"]
    index: int


@dataclass(frozen=True)
class Tick:
    ms: int


Step = Edit | Push | Pull | Net | Tick


class School:
    def __init__(self, skews_ms: tuple[int, int, int]) -> None:
        self.now_ms = START_MS
        walls = [self._wall(skew) for skew in skews_ms]
        self.hub = Hub(NODES[0], walls[0])
        self.boxes = [Box(NODES[1], walls[1]), Box(NODES[2], walls[2])]
        self.network: list[Message] = []

    def _wall(self, skew_ms: int) -> Callable[[], float]:
        return lambda: (self.now_ms + skew_ms) / 1000

    @property
    def replicas(self) -> list[Replica]:
        return [self.hub, *self.boxes]

    def run(self, step: Step) -> None:
        if isinstance(step, Edit):
            self._edit(step)
        elif isinstance(step, Push):
            request = self.boxes[step.box].push_request(step.size)
            self.network += [request] if request else []
        elif isinstance(step, Pull):
            box = self.boxes[step.box]
            self.network.append(PullRequest(box.node, box.cursor, step.limit))
        elif isinstance(step, Tick):
            self.now_ms += step.ms
        elif self.network:
            self._network(step.action, step.index % len(self.network))

    def _edit(self, edit: Edit) -> None:
        if edit.replica == 0:
            self.hub.central_edit(edit)
        else:
            self.boxes[edit.replica - 1].edit(edit)

    def _network(self, action: str, index: int) -> None:
        if action == "duplicate":
            self.network.append(self.network[index])
        elif action == "drop":
            del self.network[index]
        else:
            self._deliver(self.network.pop(index))

    def _deliver(self, message: Message) -> None:
        if isinstance(message, PushRequest):
            self.network.append(self.hub.push(message))
        elif isinstance(message, PullRequest):
            self.network.append(self.hub.pull(message))
        else:
            box = next(box for box in self.boxes if box.node == message.box)
            if isinstance(message, PushAnswer):
                box.on_push_answer(message)
            else:
                box.on_page(message)

    def settle(self) -> None:
        """Delivers everything, and lets the boxes push and pull until nothing is left."""
        for _ in range(100):
            while self.network:
                self._deliver(self.network.pop(0))
            for box in self.boxes:
                request = box.push_request(len(box.written))
                self.network += [request] if request else []
                if box.cursor < len(self.hub.feed):
                    self.network.append(PullRequest(box.node, box.cursor, len(self.hub.feed)))
            if not self.network:
                return
        raise AssertionError("the school never settled")


def decode_step(code: int) -> Step:
    """The step numbered `code`: one integer per step keeps hypothesis fast on long scripts."""
    kind, who, code = KINDS[code % len(KINDS)], code // len(KINDS) % 3, code // len(KINDS) // 3
    if kind == "edit":
        return Edit(who, TABLES[code % 2], "r1", CHOICES[code // 2 % len(CHOICES)])
    if kind in ("push", "pull"):
        return (Push if kind == "push" else Pull)(who % 2, 1 + code % 3)
    if kind == "tick":
        return Tick(code % 600_000)
    if kind == "newest":
        return Net("deliver", -1 - code % 2)
    if kind == "deliver":
        return Net("deliver", code % 10)
    return Net("duplicate" if who % 2 else "drop", code % 10)
