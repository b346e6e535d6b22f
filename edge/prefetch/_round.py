"""One prefetch round: refresh the catalog, plan, fetch. One process at a time per box (a lock
file beside the store), so `edge content fetch` and the running box never write one partial."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from content_cache import (
    BlobStore,
    CatalogError,
    CatalogIndex,
    Fetcher,
    FetchProgress,
    FetchRules,
    RefreshReport,
    TimeWindows,
    refresh_catalog,
)
from edge.content import plan
from edge.db import Database
from edge.hubsync import NotEnrolledError, enrollment
from edge.settings import Settings

LOCK_FILE = "fetch.lock"
_TIMEOUT = aiohttp.ClientTimeout(sock_connect=15, sock_read=60)
_log = logging.getLogger(__name__)


class ContentBusy(Exception):
    """Another process (the running box, or `edge content fetch`) is fetching already."""


@dataclass(frozen=True)
class ContentRound:
    refresh: RefreshReport | None
    #: why the hub's catalog was refused (bad signature, rollback, expired head), if it was
    refused: str
    wanted: int
    progress: FetchProgress


def fetch_rules(settings: Settings) -> FetchRules:
    conf = settings.content
    return FetchRules(
        parallel=conf.parallel,
        rate_kbit=conf.rate_kbit,
        windows=TimeWindows.parse(conf.windows),
        connect_seconds=conf.connect_timeout_seconds,
        stall_seconds=conf.stall_seconds,
    )


async def content_round(
    db: Database,
    settings: Settings,
    catalog: CatalogIndex,
    fetcher: Fetcher,
    blobs: BlobStore,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ContentRound:
    """Raises NotEnrolledError, ContentBusy or FetchError (the hub is unreachable); a refused
    catalog is reported, and what the held catalog names is fetched all the same."""
    who = await enrollment(db)
    if who is None:
        raise NotEnrolledError("this box is not enrolled with a hub (edge enroll HUB_URL TOKEN)")
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(who.content_key))
    with fetch_lock(settings):
        async with aiohttp.ClientSession(who.hub_url, timeout=_TIMEOUT) as http:
            refresh, refused = None, ""
            try:
                refresh = await refresh_catalog(
                    http, catalog, public_key, lambda: int(now().timestamp())
                )
            except CatalogError as err:
                refused = str(err)
                _log.error("content: the hub's catalog was refused: %s", err)
            wanted = await plan(db, catalog, blobs, settings, now())
            progress = await fetcher.run(http, wanted)
    return ContentRound(refresh, refused, len(wanted), progress)


@contextlib.contextmanager
def fetch_lock(settings: Settings) -> Iterator[None]:
    settings.content_dir.mkdir(parents=True, exist_ok=True)
    with (settings.content_dir / LOCK_FILE).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ContentBusy("another process is fetching lessons for this box") from None
        yield
