"""The endpoint table. Each endpoint is declared once — method, path, who may call it, the schema
of its body and query — and that one declaration drives routing, authentication, validation and
the OpenAPI document."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from edge.accounts import Principal, Role
from edge.web._errors import ApiError
from edge.web._keys import SESSIONS
from edge.web._validate import Schema, ValidationError, validate

PREFIX = "/api/v1"
COOKIE = "edge_session"
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Call:
    """What a handler gets: the request, the caller, and the already validated input."""

    request: web.Request
    principal: Principal | None
    body: dict[str, Any]
    query: dict[str, str]

    @property
    def who(self) -> Principal:
        if self.principal is None:
            raise ApiError(401, "unauthenticated", "log in first")
        return self.principal

    @property
    def app(self) -> web.Application:
        return self.request.app

    def param(self, name: str) -> str:
        return self.request.match_info[name]


Handler = Callable[[Call], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    roles: frozenset[Role] | None  # None: anyone, logged in or not
    body: Schema | None = None
    query: dict[str, Schema] = field(default_factory=dict)
    responses: dict[int, str] = field(default_factory=dict)


class Api:
    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def add(
        self,
        method: str,
        path: str,
        handler: Handler,
        *,
        summary: str,
        tag: str,
        roles: Iterable[Role] | None = ALL_ROLES,
        body: Schema | None = None,
        query: dict[str, Schema] | None = None,
        responses: dict[int, str] | None = None,
    ) -> None:
        self.endpoints.append(
            Endpoint(
                method,
                path,
                handler,
                summary,
                tag,
                None if roles is None else frozenset(roles),
                body,
                query or {},
                responses or {200: "OK"},
            )
        )

    def install(self, app: web.Application) -> None:
        for endpoint in self.endpoints:
            app.router.add_route(endpoint.method, PREFIX + endpoint.path, _wrap(endpoint))


API = web.AppKey("api", Api)


def _wrap(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        principal = await authenticate(request)
        if endpoint.roles is not None:
            if principal is None:
                raise ApiError(401, "unauthenticated", "log in first")
            if principal.role not in endpoint.roles:
                raise ApiError(403, "forbidden", f"not allowed for the {principal.role} role")
        query = _query(request, endpoint.query)
        body = await _body(request, endpoint.body) if endpoint.body is not None else {}
        return await endpoint.handler(Call(request, principal, body, query))

    handle.__name__ = endpoint.handler.__name__
    return handle


def session_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


async def authenticate(request: web.Request) -> Principal | None:
    token = session_token(request)
    if token is None:
        return None
    principal = await request.app[SESSIONS].resolve(token)
    if principal is None:
        raise ApiError(401, "unauthenticated", "the session token is unknown or has expired")
    return principal


def _query(request: web.Request, schemas: dict[str, Schema]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, schema in schemas.items():
        if name in request.query:
            value = request.query[name]
            try:
                validate(value, schema, name)
            except ValidationError as err:
                raise ApiError(400, "invalid_query", str(err)) from err
            values[name] = value
    return values


async def _body(request: web.Request, schema: Schema) -> dict[str, Any]:
    raw = await request.read()
    try:
        value = json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ApiError(400, "invalid_json", f"the body is not JSON: {err}") from err
    try:
        validate(value, schema)
    except ValidationError as err:
        raise ApiError(400, "invalid_body", str(err)) from err
    body: dict[str, Any] = value
    return body


def json_body(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=dumps)


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_PARAM = re.compile(r"{(\w+)}")


def path_parameters(path: str) -> list[str]:
    return _PARAM.findall(path)
