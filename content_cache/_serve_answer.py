"""One blob as an HTTP answer: 200, 206, 304 or 416, from memory or with sendfile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from aiohttp import web

from content_cache._serve_file import BlobFile
from content_cache._serve_http import (
    UNSATISFIABLE,
    etag_matches,
    not_modified,
    parse_range,
    range_headers,
    unsatisfiable,
)
from content_cache._serve_memory import Hot

IMMUTABLE = "public, max-age=31536000, immutable"
#: an HTML5 package runs sandboxed (an opaque origin: no cookies of the box) and cannot call out
SANDBOX_CSP = (
    "sandbox allow-scripts allow-forms allow-popups allow-modals; "
    "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; connect-src 'none'"
)
#: types a browser runs as a document with scripts: sandboxed whatever the entry's kind
ACTIVE_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"}
)


@dataclass(frozen=True)
class Opened:
    """A large blob's open file (closed by whoever answers with it)."""

    handle: BinaryIO
    size: int
    headers: dict[str, str]


Found = Hot | Opened


def blob_headers(sha256: str, mime: str, cache_control: str, *, sandbox: bool) -> dict[str, str]:
    headers = {
        "ETag": f'"{sha256}"',
        "Cache-Control": cache_control,
        "Content-Type": mime,
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
    }
    if sandbox or mime.split(";")[0].strip().lower() in ACTIVE_TYPES:
        headers["Content-Security-Policy"] = SANDBOX_CSP
    return headers


def answer(
    request: web.Request, sha256: str, found: Found, headers: dict[str, str]
) -> web.StreamResponse:
    """`found`'s bytes with `headers`, honouring If-None-Match, Range and If-Range."""
    size = len(found.body) if isinstance(found, Hot) else found.size
    request_headers = request.headers
    if etag_matches(request_headers.get("If-None-Match"), sha256):
        _close(found)
        return not_modified(headers)
    span = None
    if (
        "Range" in request_headers
        and request_headers.get("If-Range", headers["ETag"]) == headers["ETag"]
    ):
        span = parse_range(request_headers["Range"], size)
    if span == UNSATISFIABLE:
        _close(found)
        return unsatisfiable(size, headers)
    status, (start, end) = (200, (0, size)) if span is None else (206, span)
    if status == 206:
        headers = headers | range_headers(start, end, size)
    if isinstance(found, Hot):
        body = found.body if status == 200 else found.body[start:end]
        return web.Response(body=body, status=status, headers=headers)
    return BlobFile(found.handle, start, end - start, status=status, headers=headers)


def _close(found: Found) -> None:
    if isinstance(found, Opened):
        found.handle.close()
