"""What the agent drives: a kiosk browser and the keyboard, or, headless, a record of what it
would have shown and pressed (for tests and trials without a screen)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol


class DisplayError(RuntimeError):
    """A command the display could not carry out (reported in the ack)."""


class Display(Protocol):
    async def show_text(self, title: str, text: str) -> None: ...

    async def show(self, url: str) -> None: ...

    async def press(self, key: str) -> None: ...

    async def blank(self) -> None: ...

    async def unblank(self) -> None: ...

    def idle_seconds(self) -> float: ...

    def health(self) -> dict[str, Any]: ...

    async def close(self) -> None: ...


class HeadlessDisplay:
    """Records every action in `events`; idle time is the time since the last command (on an
    injectable clock), since no person's input can be heard."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_activity = clock()
        self.events: list[tuple[str, str]] = []
        self.showing = ""
        self.blanked = False

    def _record(self, kind: str, value: str = "") -> None:
        self.events.append((kind, value))
        self._last_activity = self._clock()

    async def show_text(self, title: str, text: str) -> None:
        self.events.append(("text", f"{title}: {text}"))

    async def show(self, url: str) -> None:
        self.showing, self.blanked = url, False
        self._record("show", url)

    async def press(self, key: str) -> None:
        self._record("key", key)

    async def blank(self) -> None:
        self.blanked = True
        self._record("blank")

    async def unblank(self) -> None:
        self.blanked = False
        self._record("unblank")

    def idle_seconds(self) -> float:
        return self._clock() - self._last_activity

    def health(self) -> dict[str, Any]:
        return {"mode": "headless", "showing": self.showing, "blanked": self.blanked}

    async def close(self) -> None:
        return None
