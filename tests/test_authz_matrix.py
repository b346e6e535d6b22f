"""Every write endpoint × every role. A new write endpoint without a row here fails the suite."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from edge.web._api import API
from edge.web._keys import DB
from tests._box import Box
from tests._school import PASSWORD
from tests.test_catalog import entry
from tests.test_content_serve import publish

ROLES = ("anonymous", "panel", "sam", "other", "teach", "admin")  # device, student, …
Prepared = tuple[str, Any]


@dataclass(frozen=True)
class Case:
    prepare: Callable[[Box], Awaitable[Prepared]]
    allowed: frozenset[str]  # the callers that succeed; everyone else gets 401 or 403
    success: int = 200


async def _mark(box: Box) -> str:
    body = {"student_id": box.school["sam"], "class_id": box.school["7a"], "value": 3}
    status, mark = await box.call("POST", "/marks", "admin", body)
    assert status == 201
    return str(mark["id"])


async def _homework(box: Box) -> str:
    body = {"lesson_id": box.school["lesson"], "due_date": "2026-11-30", "text": "read"}
    status, homework = await box.call("POST", "/homework", "admin", body)
    assert status == 201
    return str(homework["id"])


async def _login(box: Box) -> Prepared:
    return "/login", {"username": "teach", "password": PASSWORD}


async def _nothing(path: str, body: Any = None) -> Prepared:
    return path, body


async def _reader(box: Box) -> str:
    body = {
        "name": "door-x",
        "protocol": "rdm6300",
        "address": "tcp://127.0.0.1:9",
        "room": "Room 12",
    }
    status, reader = await box.call("POST", "/readers", "admin", body)
    assert status == 201, reader
    return str(reader["id"])


async def _material(box: Box, attach: bool) -> Prepared:
    """A catalog entry on the box (attached to 7A's lesson by an admin, if `attach`)."""
    await publish(box.client, [entry(1)])
    path = f"/lessons/{box.school['lesson']}/materials/{entry(1).id}"
    if attach:
        assert (await box.call("PUT", path, "admin"))[0] == 200
    return path, None


async def _pin(box: Box, pinned: bool) -> Prepared:
    await publish(box.client, [entry(1)])
    path = f"/content/pins/{entry(1).id}"
    if pinned:
        assert (await box.call("PUT", path, "admin"))[0] == 200
    return path, None


async def _pairing(box: Box, agent_id: str = "agent-matrix-01") -> dict[str, Any]:
    body = {"agent_id": agent_id, "name": "panel", "room_hint": "Room 12"}
    status, offer = await box.call("POST", "/panel-agents/pair", None, body)
    assert status == 201, offer
    return dict(offer)


async def _confirm_pin(box: Box) -> Prepared:
    offer = await _pairing(box)
    path = f"/panel-agents/pairings/{offer['agent_id']}/confirm"
    return path, {"pin": offer["pin"], "room": box.school["room"]}


async def _paired_agent(box: Box) -> Prepared:
    offer = await _pairing(box)
    path = f"/panel-agents/pairings/{offer['agent_id']}/confirm"
    assert (await box.call("POST", path, "admin", {"pin": offer["pin"], "room": "Room 12"}))[
        0
    ] == 200
    poll = {"agent_id": offer["agent_id"], "claim": offer["claim"]}
    assert (await box.call("POST", "/panel-agents/pair/status", None, poll))[1]["state"] == "paired"
    return f"/panel-agents/{offer['agent_id']}", None


async def _pair_status(box: Box) -> Prepared:
    offer = await _pairing(box)
    return "/panel-agents/pair/status", {"agent_id": offer["agent_id"], "claim": offer["claim"]}


def _panel(command: str, body: Any = None) -> Case:
    """At the test box's 08:30 no lesson is on: only an admin gets through, to the 409 that says
    no panel agent of the room is connected (tests/test_panel_control.py has the teachers)."""
    return Case(
        lambda box: _nothing(f"/rooms/{box.school['room']}/panel/{command}", body),
        frozenset({"admin"}),
        409,
    )


def _device(setting: str, body: Any) -> Case:
    """The same for the panel itself: an admin gets through, to the 404 that says the room has
    no panel registered (tests/test_panel_registry.py drives a simulated one)."""
    return Case(
        lambda box: _nothing(f"/rooms/{box.school['room']}/panel/{setting}", body),
        frozenset({"admin"}),
        404,
    )


_SAMSUNG = {"protocol": "samsung", "address": "tcp://127.0.0.1:1515"}


async def _registered_panel(box: Box) -> Prepared:
    body = {"room": box.school["room"], **_SAMSUNG}
    status, answer = await box.call("POST", "/panels", "admin", body)
    assert status == 201, answer
    return f"/panels/{box.school['room']}", None


STAFF_OF_7A = frozenset({"teach", "admin"})
ADMIN_ONLY = frozenset({"admin"})
TEACHERS = frozenset({"other", "teach", "admin"})
EVERYONE = frozenset({"panel", "sam", "other", "teach", "admin"})

WRITES: dict[tuple[str, str], Case] = {
    ("POST", "/login"): Case(_login, frozenset(ROLES)),
    ("POST", "/logout"): Case(lambda box: _nothing("/logout"), EVERYONE, 204),
    ("POST", "/me/calendar-feed"): Case(
        lambda box: _nothing("/me/calendar-feed"), frozenset({"other", "teach", "admin"}), 201
    ),
    ("PUT", "/lessons/{lesson_id}/attendance/{student_id}"): Case(
        lambda box: _nothing(
            f"/lessons/{box.school['lesson']}/attendance/{box.school['sam']}", {"status": "late"}
        ),
        STAFF_OF_7A,
    ),
    ("PUT", "/lessons/{lesson_id}/topic"): Case(
        lambda box: _nothing(f"/lessons/{box.school['lesson']}/topic", {"topic": "Sets"}),
        STAFF_OF_7A,
    ),
    ("POST", "/marks"): Case(
        lambda box: _nothing(
            "/marks", {"student_id": box.school["sam"], "class_id": box.school["7a"], "value": 2}
        ),
        STAFF_OF_7A,
        201,
    ),
    ("PATCH", "/marks/{mark_id}"): Case(
        lambda box: _with(_mark(box), lambda mark: (f"/marks/{mark}", {"value": 1})), STAFF_OF_7A
    ),
    ("DELETE", "/marks/{mark_id}"): Case(
        lambda box: _with(_mark(box), lambda mark: (f"/marks/{mark}", None)), STAFF_OF_7A, 204
    ),
    ("POST", "/homework"): Case(
        lambda box: _nothing(
            "/homework", {"lesson_id": box.school["lesson"], "due_date": "2026-11-24", "text": "x"}
        ),
        STAFF_OF_7A,
        201,
    ),
    ("PATCH", "/homework/{homework_id}"): Case(
        lambda box: _with(_homework(box), lambda hw: (f"/homework/{hw}", {"text": "y"})),
        STAFF_OF_7A,
    ),
    ("POST", "/readers"): Case(
        lambda box: _nothing(
            "/readers",
            {
                "name": "gate",
                "protocol": "rdm6300",
                "address": "tcp://127.0.0.1:9",
                "direction": "in",
            },
        ),
        ADMIN_ONLY,
        201,
    ),
    ("DELETE", "/readers/{reader_id}"): Case(
        lambda box: _with(_reader(box), lambda reader: (f"/readers/{reader}", None)),
        ADMIN_ONLY,
        204,
    ),
    ("PUT", "/cards/{uid}"): Case(
        lambda box: _nothing("/cards/0000000042", {"person": "sam"}), ADMIN_ONLY
    ),
    ("DELETE", "/homework/{homework_id}"): Case(
        lambda box: _with(_homework(box), lambda hw: (f"/homework/{hw}", None)), STAFF_OF_7A, 204
    ),
    ("PUT", "/lessons/{lesson_id}/materials/{entry_id}"): Case(
        lambda box: _material(box, attach=False), STAFF_OF_7A
    ),
    ("DELETE", "/lessons/{lesson_id}/materials/{entry_id}"): Case(
        lambda box: _material(box, attach=True), STAFF_OF_7A, 204
    ),
    ("PUT", "/content/pins/{entry_id}"): Case(lambda box: _pin(box, pinned=False), TEACHERS),
    ("DELETE", "/content/pins/{entry_id}"): Case(lambda box: _pin(box, pinned=True), TEACHERS, 204),
    # the test box is not enrolled: an admin gets past authorization to the 409 that says so
    ("POST", "/sync/now"): Case(lambda box: _nothing("/sync/now"), ADMIN_ONLY, 409),
    ("POST", "/content/fetch"): Case(lambda box: _nothing("/content/fetch"), ADMIN_ONLY, 409),
    ("POST", "/panel-agents/pair"): Case(
        lambda box: _nothing(
            "/panel-agents/pair", {"agent_id": "agent-matrix-02", "name": "panel"}
        ),
        frozenset(ROLES),
        201,
    ),
    ("POST", "/panel-agents/pair/status"): Case(_pair_status, frozenset(ROLES)),
    ("POST", "/panel-agents/pairings/{agent_id}/confirm"): Case(_confirm_pin, TEACHERS),
    ("DELETE", "/panel-agents/{agent_id}"): Case(_paired_agent, ADMIN_ONLY, 204),
    ("POST", "/rooms/{room_id}/panel/show"): _panel("show", {"url": "/content/x"}),
    ("POST", "/rooms/{room_id}/panel/next"): _panel("next"),
    ("POST", "/rooms/{room_id}/panel/previous"): _panel("previous"),
    ("POST", "/rooms/{room_id}/panel/blank"): _panel("blank"),
    ("POST", "/rooms/{room_id}/panel/unblank"): _panel("unblank"),
    ("POST", "/rooms/{room_id}/panel/power"): _device("power", {"on": True}),
    ("POST", "/rooms/{room_id}/panel/input"): _device("input", {"name": "hdmi1"}),
    ("POST", "/rooms/{room_id}/panel/volume"): _device("volume", {"level": 30}),
    ("POST", "/rooms/{room_id}/panel/mute"): _device("mute", {"muted": True}),
    ("POST", "/panels"): Case(
        lambda box: _nothing("/panels", {"room": box.school["room"], **_SAMSUNG}),
        ADMIN_ONLY,
        201,
    ),
    ("DELETE", "/panels/{room_id}"): Case(_registered_panel, ADMIN_ONLY, 204),
}


async def _with(made: Awaitable[str], build: Callable[[str], Prepared]) -> Prepared:
    return build(await made)


def test_every_write_endpoint_has_a_row(box: Box) -> None:
    writes = {(e.method, e.path) for e in box.client.app[API].endpoints if e.method != "GET"}
    assert writes == set(WRITES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(WRITES), ids=lambda e: f"{e[0]} {e[1]}")
async def test_write_authorization(box: Box, endpoint: tuple[str, str], role: str) -> None:
    case = WRITES[endpoint]
    path, body = await case.prepare(box)
    before = await _log_size(box)
    status, answer = await box.call(endpoint[0], path, None if role == "anonymous" else role, body)
    if role in case.allowed:
        assert status == case.success, answer
        return
    expected = 401 if role == "anonymous" else 403
    assert status == expected, answer
    assert answer["error"] == ("unauthenticated" if expected == 401 else "forbidden")
    assert await _log_size(box) == before, "a refused write changed the diary"


async def _log_size(box: Box) -> int:
    row = await box.client.app[DB].read(
        lambda c: c.execute("SELECT count(*) AS n FROM change_log").fetchone()
    )
    return int(row["n"])
