"""Every error leaves the box as JSON `{"error": code, "detail": …}`; never a bare 500 page."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from edge.accounts import AccountError
from edge.db import NotFound, StorageError
from edge.diary import ConflictError, DiaryError, ForbiddenError, InvalidError, NotFoundError

_log = logging.getLogger(__name__)

_DIARY_STATUS: dict[type[DiaryError], int] = {
    NotFoundError: 404,
    ForbiddenError: 403,
    InvalidError: 422,
    ConflictError: 409,
}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_attempts",
}


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, detail: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


def json_error(
    status: int, code: str, detail: Any = None, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response({"error": code, "detail": detail}, status=status, headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as err:
        return json_error(err.status, err.code, err.detail, err.headers)
    except DiaryError as err:
        return json_error(_DIARY_STATUS.get(type(err), 400), err.code, str(err))
    except NotFound as err:
        return json_error(404, "not_found", f"no {err}")
    except AccountError as err:
        return json_error(400, "bad_request", str(err))
    except StorageError as err:
        _log.error("storage refused a write: %s", err)
        return json_error(503, "storage_unavailable", str(err), {"Retry-After": "30"})
    except web.HTTPException as err:
        if err.status < 400:
            raise
        code = _HTTP_CODES.get(err.status, "http_error")
        return json_error(
            err.status,
            code,
            err.reason,
            {"Allow": err.headers.get("Allow", "")} if err.status == 405 else None,
        )
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        _log.exception("unexpected error in %s %s", request.method, request.path)
        return json_error(500, "internal", "unexpected error; the box's log has the details")
