"""Login, logout, who am I."""

from __future__ import annotations

import asyncio

from aiohttp import web

from edge.accounts import Principal, Role, burn_time, find_user, verify_password
from edge.web._api import ALL_ROLES, COOKIE, Api, Call, json_body, session_token
from edge.web._errors import ApiError
from edge.web._keys import DB, SESSIONS, SETTINGS, THROTTLE

LOGIN_BODY = {
    "type": "object",
    "required": ["username", "password"],
    "additionalProperties": False,
    "properties": {
        "username": {"type": "string", "minLength": 1, "maxLength": 64},
        "password": {"type": "string", "minLength": 1, "maxLength": 256},
    },
}


async def login(call: Call) -> web.StreamResponse:
    username, password = call.body["username"], call.body["password"]
    address = call.request.remote or "unknown"
    throttle = call.app[THROTTLE]
    wait = throttle.retry_after(username, address)
    if wait > 0:
        raise ApiError(
            429,
            "too_many_attempts",
            f"try again in {wait:.0f} s",
            {"Retry-After": str(int(wait) + 1)},
        )
    user = await call.app[DB].read(lambda conn: find_user(conn, username))
    if user is None:
        await asyncio.to_thread(burn_time, password)
    elif await asyncio.to_thread(verify_password, password, user["password_hash"]):
        throttle.succeeded(username)
        return await _start_session(call, user["id"], _principal(user))
    throttle.failed(username, address)
    raise ApiError(401, "bad_credentials", "wrong username or password")


def _principal(user: dict[str, str]) -> Principal:
    return Principal(user["id"], user["username"], Role(user["role"]), user["person_id"])


async def _start_session(call: Call, user_id: str, who: Principal) -> web.StreamResponse:
    token, expires = await call.app[SESSIONS].start(user_id)
    response = json_body({"token": token, "expires_at": expires.isoformat(), "user": me_view(who)})
    response.set_cookie(
        COOKIE,
        token,
        expires=expires.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        httponly=True,
        samesite="Strict",
        secure=call.app[SETTINGS].auth.cookie_secure,
        path="/",
    )
    return response


async def logout(call: Call) -> web.StreamResponse:
    token = session_token(call.request)
    if token is not None:
        await call.app[SESSIONS].end(token)
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path="/")
    return response


def me_view(who: Principal) -> dict[str, str | None]:
    return {
        "id": who.user_id,
        "username": who.username,
        "role": who.role.value,
        "person_id": who.person_id,
    }


async def me(call: Call) -> web.StreamResponse:
    return json_body(me_view(call.who))


def add_routes(api: Api) -> None:
    api.add(
        "POST",
        "/login",
        login,
        summary="Log in; returns a session token and sets a cookie",
        tag="auth",
        roles=None,
        body=LOGIN_BODY,
        responses={200: "Logged in", 401: "Wrong username or password", 429: "Too many attempts"},
    )
    api.add(
        "POST",
        "/logout",
        logout,
        summary="End this session",
        tag="auth",
        roles=ALL_ROLES,
        responses={204: "Logged out"},
    )
    api.add("GET", "/me", me, summary="The logged-in account", tag="auth")
