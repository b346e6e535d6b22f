"""The box side of bench/sync.py, run inside the link's namespace `a`: enroll, push school
days of diary changes in signed batches, or make one in-sync round. Prints one JSON line."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import time
from pathlib import Path

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._diary_changes import NODE, school_days
from sync import sign_request
from sync._wire import Batch, encode_batch

BATCH = 5000


async def enroll(hub: str, token: str) -> dict[str, str]:
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    body = {
        "token": token,
        "public_key": base64.b64encode(raw).decode(),
        "name": "bench box",
        "node": NODE,
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{hub}/v1/enroll", json=body) as answer,
    ):
        found: dict[str, str] = await answer.json()
        assert answer.status == 201, found
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return {**found, "seed": base64.b64encode(seed).decode()}


async def signed(
    session: aiohttp.ClientSession, who: dict[str, str], method: str, path: str, body: bytes = b""
) -> aiohttp.ClientResponse:
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(who["seed"]))
    headers = sign_request(key, who["key_id"], method, path, body, int(time.time()))
    return await session.request(method, path, data=body, headers=headers)


async def push(hub: str, who: dict[str, str], days: int) -> dict[str, object]:
    changes = school_days(days)
    path = f"/v1/schools/{who['school_id']}/push"
    started, sent = time.monotonic(), 0
    async with aiohttp.ClientSession(hub) as session:
        for first in range(0, len(changes), BATCH):
            body = encode_batch(
                Batch(who["box_id"], NODE, first + 1, changes[first : first + BATCH])
            )
            sent += len(body)
            answer = await signed(session, who, "POST", path, body)
            ack = await answer.json()
            assert answer.status == 200, ack
    return {
        "changes": len(changes),
        "batches_bytes": sent,
        "seconds": time.monotonic() - started,
        "applied_through": ack["applied_through"],
    }


async def in_sync_round(hub: str, who: dict[str, str]) -> dict[str, object]:
    """What a box does when there is nothing new either way: one signed pull, empty page."""
    async with aiohttp.ClientSession(hub) as session:
        path = f"/v1/schools/{who['school_id']}/changes?since=999999999"
        answer = await signed(session, who, "GET", path)
        page = await answer.read()
        assert answer.status == 200
    return {"page_bytes": len(page)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["enroll", "push", "in-sync"])
    parser.add_argument("hub")
    parser.add_argument("state", type=Path)
    parser.add_argument("--token", default="")
    parser.add_argument("--days", type=int, default=4)
    args = parser.parse_args()
    if args.phase == "enroll":
        who = asyncio.run(enroll(args.hub, args.token))
        args.state.write_text(json.dumps(who))
        print(json.dumps({"box_id": who["box_id"]}))
        return
    who = json.loads(args.state.read_text())
    if args.phase == "push":
        print(json.dumps(asyncio.run(push(args.hub, who, args.days))))
    else:
        print(json.dumps(asyncio.run(in_sync_round(args.hub, who))))


if __name__ == "__main__":
    main()
