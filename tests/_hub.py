"""A real hub on loopback and boxes that sync with it, for the sync tests."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer

from edge.db import Database, Tx
from edge.hubsync import Enrollment, RoundReport, enroll, sync_once
from edge.keys import ensure_box_keys
from edge.settings import Settings
from sync.hub import HubStore, create_hub_app
from sync.hub._content import HubCatalog
from sync.hub._content_key import content_key, public_content_key


@dataclass
class Hub:
    url: str
    store: HubStore
    clock_offset: int = 0
    catalog: HubCatalog | None = None  # with content=True: the hub publishes lessons too

    def token(self) -> str:
        return self.store.new_token("north", int(time.time()) + self.clock_offset)

    def feed_size(self) -> int:
        return int(self.store._conn.execute("SELECT count(*) FROM feed").fetchone()[0])


@contextlib.asynccontextmanager
async def running_hub(data_dir: Path, *, content: bool = False) -> AsyncIterator[Hub]:
    store = HubStore(data_dir / "hub.db")
    store.add_school("north", "North School")
    found = Hub("", store)
    key = content_key(store) if content else None
    if content:
        found.catalog = HubCatalog(store, data_dir)
    server = TestServer(
        create_hub_app(
            store,
            public_content_key(key) if key else "CK",
            now=lambda: int(time.time()) + found.clock_offset,
            signing_key=key,
            data_dir=data_dir,
        )
    )
    await server.start_server()
    found.url = str(server.make_url("")).rstrip("/")
    try:
        yield found
    finally:
        await server.close()
        store.close()


@dataclass
class SyncBox:
    db: Database
    settings: Settings
    who: Enrollment

    async def sync(self) -> RoundReport:
        return await sync_once(self.db, self.settings)

    async def write(self, job: Callable[[Tx], Any]) -> Any:
        return await self.db.write(job)

    async def row(self, table: str, row_id: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = await self.db.read(
            lambda c: c.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id]).fetchone()
        )
        return found

    async def conflicts(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self.db.read(
            lambda c: c.execute("SELECT * FROM sync_conflicts ORDER BY id").fetchall()
        )
        return rows


@contextlib.asynccontextmanager
async def enrolled_box(hub: Hub, data_dir: Path) -> AsyncIterator[SyncBox]:
    settings = Settings().replace("box", data_dir=data_dir)
    ensure_box_keys(settings.keys_dir)
    async with Database(settings.database_path) as db:
        who = await enroll(db, settings, hub.url, hub.token())
        yield SyncBox(db, settings, who)
