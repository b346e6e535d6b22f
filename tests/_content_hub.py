"""A real hub serving content on a loopback port, and helpers to publish lessons to it."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from content_cache import CatalogEntry, CatalogFile
from sync.hub._content import HubCatalog
from sync.hub._content_key import content_key
from tests._hub import Hub, running_hub


@dataclass
class ContentHub:
    url: str
    catalog: HubCatalog
    public_key: Ed25519PublicKey
    data_dir: Path
    hub: Hub  # the diary side too: enroll boxes with it

    def publish(self, entry_id: str, files: dict[str, bytes], **fields: str) -> CatalogEntry:
        """Store the files as blobs and publish one entry naming them."""
        listed = []
        for name, data in files.items():
            source = self.data_dir / "incoming" / name
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_bytes(data)
            sha, size = self.catalog.add_blob(source)
            listed.append(CatalogFile(name, sha, size, "application/octet-stream"))
        entry = CatalogEntry(
            id=entry_id,
            kind=fields.get("kind", "lesson"),
            title=fields.get("title", entry_id),
            subject=fields.get("subject", "mathematics"),
            grades=tuple(fields.get("grades", "7").split(",")),
            language="en",
            files=tuple(listed),
            version=1,
        )
        return self.catalog.publish([entry])[0]

    def blob_file(self, data: bytes) -> Path:
        sha = hashlib.sha256(data).hexdigest()
        path = self.catalog.blob(sha)
        assert path is not None
        return path

    @asynccontextmanager
    async def session(self) -> AsyncIterator[aiohttp.ClientSession]:
        async with aiohttp.ClientSession(self.url) as http:
            yield http


@asynccontextmanager
async def content_hub(data_dir: Path) -> AsyncIterator[ContentHub]:
    async with running_hub(data_dir, content=True) as hub:
        assert hub.catalog is not None
        key = content_key(hub.store).public_key()
        yield ContentHub(hub.url, hub.catalog, key, data_dir, hub)


def now() -> int:
    return int(time.time())


def blocks(count: int, size: int) -> Iterator[bytes]:
    for n in range(count):
        yield hashlib.sha256(str(n).encode()).digest() * (size // 32)
