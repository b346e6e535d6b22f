"""Failed-login throttling: a sliding window of failures per account and per address."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable


class LoginThrottle:
    def __init__(
        self,
        *,
        per_account: int,
        per_address: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = {"account": per_account, "address": per_address}
        self._window = window_seconds
        self._clock = clock
        self._failures: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)

    def retry_after(self, account: str, address: str) -> float:
        """Seconds until a login may be tried again; 0 when allowed now."""
        waits = [
            self._wait(("account", account.lower())),
            self._wait(("address", address)),
        ]
        return max(waits)

    def failed(self, account: str, address: str) -> None:
        now = self._clock()
        for key in (("account", account.lower()), ("address", address)):
            self._failures[key].append(now)

    def succeeded(self, account: str) -> None:
        self._failures.pop(("account", account.lower()), None)

    def _wait(self, key: tuple[str, str]) -> float:
        failures = self._failures.get(key)
        if not failures:
            return 0.0
        now = self._clock()
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return 0.0
        if len(failures) < self._limits[key[0]]:
            return 0.0
        return failures[0] + self._window - now
