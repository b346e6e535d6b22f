"""`edge enroll HUB_URL TOKEN`: register the box's key with the hub (docs/sync-protocol.md §3)."""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import dataclass

import aiohttp
from cryptography.hazmat.primitives import serialization

from edge.db import Database, Tx
from edge.keys import PRIVATE_NAME, load_private_key
from edge.settings import Settings

ENROLLMENT_KEYS = ("hub_url", "box_id", "school_id", "key_id", "content_key")


class SyncError(RuntimeError):
    """Enrollment or a sync round failed; phrased for the IT technician."""


class HubUnreachableError(SyncError):
    """The hub did not answer at all: no route, refused connection, DNS, a timeout."""


class NotEnrolledError(SyncError):
    """The box has not been enrolled with a hub yet (`edge enroll HUB_URL TOKEN`)."""


@dataclass(frozen=True)
class Enrollment:
    hub_url: str
    box_id: str
    school_id: str
    key_id: str
    node: str
    #: the hub's Ed25519 content key (base64 of the raw public key): it signs the catalog
    content_key: str


async def enroll(db: Database, settings: Settings, hub_url: str, token: str) -> Enrollment:
    if await enrollment(db) is not None:
        raise SyncError("this box is enrolled already")
    key = load_private_key(settings.keys_dir / PRIVATE_NAME)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert db.clock is not None
    body = {
        "token": token,
        "public_key": base64.b64encode(raw).decode(),
        "name": settings.box.name,
        "node": db.clock.node,
    }
    url = hub_url.rstrip("/")
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{url}/v1/enroll", json=body, timeout=aiohttp.ClientTimeout(total=30)
            ) as answer,
        ):
            found = await answer.json(content_type=None)
            if answer.status != 201:
                raise SyncError(f"the hub refused: {found.get('detail') or found}")
    except (aiohttp.ClientError, TimeoutError, ValueError) as err:
        raise HubUnreachableError(f"cannot reach the hub at {url}: {err}") from err
    values = {"hub_url": url, **{k: str(found[k]) for k in ENROLLMENT_KEYS[1:]}}
    await db.write(lambda tx: _remember(tx, values))
    return Enrollment(
        url,
        values["box_id"],
        values["school_id"],
        values["key_id"],
        db.clock.node,
        values["content_key"],
    )


def _remember(tx: Tx, values: dict[str, str]) -> None:
    tx.conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items())
    )


async def enrollment(db: Database) -> Enrollment | None:
    def read(conn: sqlite3.Connection) -> dict[str, str]:
        rows = conn.execute(
            "SELECT key, value FROM meta WHERE key IN (?, ?, ?, ?, ?)", ENROLLMENT_KEYS
        ).fetchall()
        return {row["key"]: row["value"] for row in rows}

    found = await db.read(read)
    if len(found) < len(ENROLLMENT_KEYS) or db.clock is None:
        return None
    return Enrollment(
        found["hub_url"],
        found["box_id"],
        found["school_id"],
        found["key_id"],
        db.clock.node,
        found["content_key"],
    )
