"""What can go wrong talking to the hub about content, translated once at the HTTP boundary."""

from __future__ import annotations


class FetchError(Exception):
    """The hub (or whatever serves its catalog and blobs) answered badly or not at all."""


class HubUnreachable(FetchError):
    """No answer: no route, refused, reset, timed out. Retried later; nothing was lost."""
