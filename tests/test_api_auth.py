from __future__ import annotations

from pathlib import Path
from typing import Any

from edge.web._keys import SESSIONS
from tests._box import Box, box_settings, make_app, start_box
from tests._school import PASSWORD


async def test_login_sets_a_strict_httponly_cookie_and_returns_a_token(box: Box) -> None:
    response = await box.client.post(
        "/api/v1/login", json={"username": "teach", "password": PASSWORD}
    )
    assert response.status == 200
    body = await response.json()
    assert body["user"]["role"] == "teacher" and len(body["token"]) >= 40
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    me = await box.client.get("/api/v1/me")  # the cookie jar now holds the session
    assert (await me.json())["username"] == "teach"


async def test_bearer_token_and_logout(box: Box) -> None:
    status, me = await box.call("GET", "/me", "sam")
    assert status == 200 and me["role"] == "student" and me["person_id"] == box.school["sam"]
    status, _ = await box.call("POST", "/logout", "sam")
    assert status == 204
    status, body = await box.call("GET", "/me", "sam")
    assert status == 401 and body["error"] == "unauthenticated"


async def test_wrong_password_and_unknown_user_look_the_same(box: Box) -> None:
    for username in ("teach", "nobody"):
        response = await box.client.post(
            "/api/v1/login", json={"username": username, "password": "wrong-password"}
        )
        assert response.status == 401
        assert await response.json() == {
            "error": "bad_credentials",
            "detail": "wrong username or password",
        }


async def test_forged_and_missing_tokens_are_refused(box: Box) -> None:
    for headers in ({"Authorization": "Bearer forged-token"}, {}):
        response = await box.client.get("/api/v1/timetable/today", headers=headers)
        assert response.status == 401
    response = await box.client.get("/api/v1/me", cookies={"edge_session": "x" * 43})
    assert response.status == 401


async def test_expired_session_is_refused(aiohttp_client: Any, tmp_path: Path) -> None:
    client = await aiohttp_client(make_app(box_settings(tmp_path, session_hours=-1.0)))
    box = await start_box(client)
    token = await box.login("teach")
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401


async def test_failed_logins_are_throttled_per_account(box: Box) -> None:
    for _ in range(5):
        response = await box.client.post(
            "/api/v1/login", json={"username": "teach", "password": "guess-again"}
        )
        assert response.status == 401
    response = await box.client.post(
        "/api/v1/login", json={"username": "teach", "password": PASSWORD}
    )
    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0
    other = await box.client.post("/api/v1/login", json={"username": "other", "password": PASSWORD})
    assert other.status == 200, "other accounts are not locked by one account's failures"


async def test_failed_logins_are_throttled_per_address(aiohttp_client: Any, tmp_path: Path) -> None:
    settings = box_settings(tmp_path, address_attempts=3, account_attempts=100)
    box = await start_box(await aiohttp_client(make_app(settings)))
    for username in ("a1", "a2", "a3"):
        response = await box.client.post(
            "/api/v1/login", json={"username": username, "password": "spray"}
        )
        assert response.status == 401
    response = await box.client.post(
        "/api/v1/login", json={"username": "teach", "password": PASSWORD}
    )
    assert response.status == 429


async def test_password_change_ends_sessions(box: Box) -> None:
    from edge.accounts import hash_password, set_password
    from edge.web._keys import DB

    token = await box.login("teach")
    new_hash = hash_password("another-long-pass")
    await box.client.app[DB].write(lambda tx: set_password(tx, "teach", new_hash))
    box.client.app[SESSIONS]._cache.clear()  # what CACHE_SECONDS would do in time
    response = await box.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401


async def test_login_body_must_be_well_formed(box: Box) -> None:
    cases: list[tuple[Any, str]] = [
        ({"username": "teach"}, "password: is required"),
        ({"username": 5, "password": "x"}, "username: must be string"),
        ({"username": "teach", "password": "x", "admin": True}, "admin: is not a known field"),
        ([], "must be object"),
    ]
    for body, detail in cases:
        response = await box.client.post("/api/v1/login", json=body)
        assert response.status == 400
        assert (await response.json())["detail"] == detail
    response = await box.client.post("/api/v1/login", data=b"{not json")
    assert response.status == 400 and (await response.json())["error"] == "invalid_json"
