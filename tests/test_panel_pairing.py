"""PIN pairing of panel agents against a real box: the right PIN, wrong PINs locking, the token
once, expiry, the rate limit, revoking, and agents without a valid token getting nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests._box import Box
from tests._panels import Clock, box_on, confirm, open_socket, pair_by_hand, panel_settings, url_of

AGENT = "3f2b8c1e-0d4a-4e6b-9c7f-1a2b3c4d5e6f"


@pytest.fixture
async def clock() -> Clock:
    return Clock()


@pytest.fixture
async def box(tmp_path: Path, clock: Clock) -> AsyncIterator[Box]:
    async with box_on(panel_settings(tmp_path, pair_requests=4), clock) as running:
        yield running


async def _ask(box: Box, agent_id: str = AGENT) -> tuple[int, dict[str, str]]:
    body = {"agent_id": agent_id, "name": "Room 12 panel", "room_hint": "Room 12"}
    status, offer = await box.call("POST", "/panel-agents/pair", None, body)
    return status, offer


async def _poll(box: Box, claim: str, agent_id: str = AGENT) -> tuple[int, dict[str, Any]]:
    body = {"agent_id": agent_id, "claim": claim}
    status, answer = await box.call("POST", "/panel-agents/pair/status", None, body)
    return status, answer


async def test_right_pin_pairs_and_the_token_comes_once(box: Box) -> None:
    status, offer = await _ask(box)
    assert status == 201 and len(offer["pin"]) == 6 and offer["pin"].isdigit()
    status, listed = await box.call("GET", "/panel-agents/pairings", "teach")
    assert status == 200 and [p["agent_id"] for p in listed["pairings"]] == [AGENT]
    assert offer["pin"] not in str(listed), "the PIN is shown only by the panel"
    assert (await _poll(box, offer["claim"]))[1]["state"] == "pending"
    assert (await _poll(box, "not-the-claim"))[0] == 404, "only the asking agent may poll"
    status, confirmed = await confirm(box, AGENT, offer["pin"], "teach")
    assert status == 200 and confirmed["room_id"] == box.school["room"]
    status, paired = await _poll(box, offer["claim"])
    assert status == 200 and paired["state"] == "paired" and paired["token"]
    assert (await _poll(box, offer["claim"]))[0] == 404, "the token is handed out once"
    async with aiohttp.ClientSession() as http:
        socket = await open_socket(http, box, paired["token"])
        await socket.close()
    status, agents = await box.call("GET", "/panel-agents", "teach")
    assert [(a["agent_id"], a["room_name"]) for a in agents["agents"]] == [(AGENT, "Room 12")]


async def test_three_wrong_pins_lock_pairing_for_a_while(box: Box, clock: Clock) -> None:
    _, offer = await _ask(box)
    wrong = f"{(int(offer['pin']) + 1) % 1_000_000:06d}"
    for left in (2, 1):
        status, answer = await confirm(box, AGENT, wrong, "teach")
        assert (
            status == 422
            and answer["error"] == "wrong_pin"
            and f"{left} attempt" in answer["detail"]
        )
    status, answer = await confirm(box, AGENT, wrong, "teach")
    assert status == 429 and answer["error"] == "pairing_locked"
    assert (await confirm(box, AGENT, offer["pin"]))[0] == 429, "locked: even the right PIN"
    assert (await _ask(box))[0] == 429, "a new PIN waits for the lock too"
    status, answer = await _poll(box, offer["claim"])
    assert status == 200 and answer["state"] == "locked" and answer["retry_after"] > 0
    clock.now += timedelta(minutes=16)
    status, fresh = await _ask(box)
    assert status == 201
    assert (await confirm(box, AGENT, fresh["pin"]))[0] == 200
    assert (await _poll(box, fresh["claim"]))[1]["state"] == "paired"


async def test_unknown_room_costs_no_attempt_and_expired_pins_are_refused(
    box: Box, clock: Clock
) -> None:
    _, offer = await _ask(box)
    body = {"pin": "000000", "room": "No Such Room"}
    for _ in range(4):
        path = f"/panel-agents/pairings/{AGENT}/confirm"
        status, answer = await box.call("POST", path, "admin", body)
        assert status == 404, answer
    clock.now += timedelta(minutes=11)
    assert (await confirm(box, AGENT, offer["pin"]))[0] == 410
    assert (await _poll(box, offer["claim"]))[0] == 410
    assert (await box.call("GET", "/panel-agents/pairings", "admin"))[1]["pairings"] == []


async def test_pairing_requests_are_rate_limited(box: Box) -> None:
    statuses = [(await _ask(box, f"agent-{n:04d}"))[0] for n in range(5)]
    assert statuses == [201, 201, 201, 201, 429]
    status, answer = await _ask(box, "agent-0000-x")
    assert status == 429 and answer["error"] == "too_many_attempts"


async def test_revoked_agent_is_disconnected_and_refused(box: Box) -> None:
    paired = await pair_by_hand(box, AGENT)
    async with aiohttp.ClientSession() as http:
        socket = await open_socket(http, box, paired.token)
        assert (await box.call("DELETE", f"/panel-agents/{AGENT}", "admin"))[0] == 204
        closing = await socket.receive(timeout=5)
        assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4001
        await socket.close()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await open_socket(http, box, paired.token)
        # 403 while the box's session cache still knows the token (≤ 10 s), 401 after
        assert refused.value.status in {401, 403}
    assert (await box.call("GET", "/panel-agents", "admin"))[1]["agents"] == []
    assert (await box.call("DELETE", f"/panel-agents/{AGENT}", "admin"))[0] == 404


async def test_unpaired_callers_get_nothing(box: Box) -> None:
    async with aiohttp.ClientSession() as http:
        for headers, status in (
            ({}, 401),
            ({"Authorization": "Bearer not-a-token"}, 401),
            ({"Authorization": f"Bearer {await box.login('panel')}"}, 403),
        ):
            url = f"{url_of(box)}/api/v1/panel-agents/ws"
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(url, headers=headers)
            assert refused.value.status == status
    status, answer = await box.call(
        "POST", "/panel-agents/pair", None, {"agent_id": "x", "name": "y"}
    )
    assert status == 400, answer
