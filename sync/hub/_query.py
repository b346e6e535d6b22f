"""The `since` and `limit` query parameters every paged hub endpoint takes."""

from __future__ import annotations

from aiohttp import web

from sync.hub._errors import HubError


def since_limit(request: web.Request, default: int, most: int) -> tuple[int, int]:
    """`since` ≥ 0 (0 when absent) and `limit` in 1 … `most` (`default` when absent), or 400."""
    try:
        since = int(request.query.get("since", "0"))
        limit = min(int(request.query.get("limit", str(default))), most)
        if since < 0 or limit < 1:
            raise ValueError("since ≥ 0 and limit ≥ 1")
    except ValueError as err:
        raise HubError(400, "bad_request", f"since and limit are whole numbers: {err}") from err
    return since, limit
