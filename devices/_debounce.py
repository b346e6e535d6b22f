"""One tap per presentation: a card seen again on the same reader within `window` seconds of its
last sighting is the same tap (readers repeat frames while the card stays in the field)."""

from __future__ import annotations

MAX_TRACKED = 10_000


class Debouncer:
    def __init__(self, window: float) -> None:
        self._window = window
        self._last_seen: dict[str, float] = {}

    def is_new(self, uid: str, now: float) -> bool:
        last = self._last_seen.get(uid)
        self._last_seen[uid] = now
        if len(self._last_seen) > MAX_TRACKED:
            self._forget_before(now - self._window)
        return last is None or now - last > self._window

    def _forget_before(self, moment: float) -> None:
        self._last_seen = {uid: t for uid, t in self._last_seen.items() if t >= moment}
