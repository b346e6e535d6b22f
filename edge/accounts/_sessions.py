"""Opaque session tokens: only their SHA-256 is stored; lookups are cached briefly."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from edge.accounts._principal import Principal, Role
from edge.accounts._users import utc_now_text
from edge.db import Database, Tx

#: How long a resolved token is trusted without asking the database (a password changed by the
#: CLI in another process ends sessions within this time).
CACHE_SECONDS = 10.0


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(
        self, db: Database, lifetime: timedelta, clock: Callable[[], float] = time.time
    ) -> None:
        self._db = db
        self._lifetime = lifetime
        self._clock = clock
        self._cache: dict[str, tuple[Principal, float, float]] = {}

    async def start(self, user_id: str) -> tuple[str, datetime]:
        token = secrets.token_urlsafe(32)
        expires = datetime.fromtimestamp(self._clock(), UTC) + self._lifetime
        row = {
            "token_hash": _digest(token),
            "user_id": user_id,
            "created_at": utc_now_text(),
            "expires_at": expires.isoformat(timespec="seconds"),
        }
        await self._db.write(lambda tx: tx.insert("sessions", row))
        return token, expires

    async def resolve(self, token: str) -> Principal | None:
        digest = _digest(token)
        now = self._clock()
        cached = self._cache.get(digest)
        if cached and cached[1] > now and cached[2] > now:
            return cached[0]
        found = await self._db.read(lambda conn: _lookup(conn, digest))
        if found is None:
            self._cache.pop(digest, None)
            return None
        principal, expires_at = found
        if expires_at <= now:
            return None
        self._cache[digest] = (principal, expires_at, now + CACHE_SECONDS)
        return principal

    async def end(self, token: str) -> None:
        digest = _digest(token)
        self._cache.pop(digest, None)
        await self._db.write(
            lambda tx: tx.conn.execute("DELETE FROM sessions WHERE token_hash = ?", [digest])
        )

    async def purge_expired(self) -> int:
        now = datetime.fromtimestamp(self._clock(), UTC).isoformat(timespec="seconds")
        self._cache = {k: v for k, v in self._cache.items() if v[1] > self._clock()}
        return await self._db.write(lambda tx: _purge(tx, now))


def _lookup(conn: sqlite3.Connection, digest: str) -> tuple[Principal, float] | None:
    row = conn.execute(
        "SELECT s.expires_at, u.id, u.username, u.role, u.person_id FROM sessions s"
        " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled = 0",
        [digest],
    ).fetchone()
    if row is None:
        return None
    principal = Principal(row["id"], row["username"], Role(row["role"]), row["person_id"])
    return principal, datetime.fromisoformat(row["expires_at"]).timestamp()


def _purge(tx: Tx, now: str) -> int:
    return tx.conn.execute("DELETE FROM sessions WHERE expires_at <= ?", [now]).rowcount
