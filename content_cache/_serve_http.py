"""HTTP details of serving a blob: validators, byte ranges and JSON errors (RFC 9110 §13, §14).

Pure functions of header values, so the handlers stay short and these are easy to test."""

from __future__ import annotations

import re
from typing import Any, Final

from aiohttp import web

#: a `Range` that cannot be satisfied (416); `None` from `parse_range` means "send it whole"
UNSATISFIABLE: Final = (-1, -1)
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_CODES = {400: "bad_request", 404: "not_found", 416: "range_not_satisfiable"}


def json_error(status: int, detail: Any, headers: dict[str, str] | None = None) -> web.Response:
    """The box's error shape, `{"error": code, "detail": …}` (content_cache cannot import edge)."""
    code = _CODES.get(status, "http_error")
    return web.json_response({"error": code, "detail": detail}, status=status, headers=headers)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` list names `etag` (a bare hex digest); weak compare, `*` too."""
    if not if_none_match:
        return False
    for item in if_none_match.split(","):
        tag = item.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/")
        if tag.strip('"') == etag and tag.startswith('"') and tag.endswith('"'):
            return True
    return False


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """`(start, end)` (end exclusive) of a single byte range, `UNSATISFIABLE`, or `None` (no
    range, a malformed one, or several: the whole blob with 200 is a correct answer to those)."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)
        return (max(size - suffix, 0), size) if suffix and size else UNSATISFIABLE
    start = int(first)
    end = size if not last else int(last) + 1
    if last and end <= start:
        return None  # an invalid range-spec: the header is ignored (RFC 9110 §14.1.1)
    if start >= size:
        return UNSATISFIABLE
    return start, min(end, size)


def range_headers(start: int, end: int, size: int) -> dict[str, str]:
    return {"Content-Range": f"bytes {start}-{end - 1}/{size}"}


def unsatisfiable(size: int, headers: dict[str, str]) -> web.Response:
    extra = {k: v for k, v in headers.items() if k != "Content-Type"}
    extra["Content-Range"] = f"bytes */{size}"
    return json_error(416, f"no byte of the range is inside the {size} bytes", extra)


def not_modified(headers: dict[str, str]) -> web.Response:
    keep = ("ETag", "Cache-Control", "Content-Security-Policy", "X-Content-Type-Options")
    return web.Response(status=304, headers={k: headers[k] for k in keep if k in headers})
