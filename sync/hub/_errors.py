"""The hub's one error type: what it refuses, as an HTTP status and a JSON error code."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """A request the hub refuses; `code` is the JSON error code, `status` the HTTP status."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra
