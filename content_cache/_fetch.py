"""The fetcher: the planner's wanted blobs, in order, from the hub into the blob store.

Downloads resume from the byte a partial stopped at (`Range`), share one bandwidth cap, run
only inside the download windows, at most `parallel` at once, and retry with backoff and full
jitter. A restart loses nothing: prefixes stay in the store's temp folder and are resumed."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import aiohttp

from content_cache._blobs import BlobStore
from content_cache._blobs_types import BlobStoreError, StoreFull
from content_cache._bucket import TokenBucket
from content_cache._fetch_blob import OutsideWindow, receive_blob
from content_cache._fetch_errors import FetchError, HubUnreachable
from content_cache._fetch_progress import Download, FetchProgress
from content_cache._windows import TimeWindows

_log = logging.getLogger(__name__)


class Want(Protocol):
    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def entry_id(self) -> str: ...


@dataclass(frozen=True)
class FetchRules:
    parallel: int = 2
    rate_kbit: int = 0
    windows: TimeWindows = field(default_factory=TimeWindows)
    #: a download that failed with no progress waits uniformly up to backoff_min ·
    #: 2^(failures-1), at most max: short, as a hub that is away ends the run (HubUnreachable)
    backoff_min_seconds: float = 0.5
    backoff_max_seconds: float = 4.0
    #: a connection to the hub not made within this long is given up
    connect_seconds: float = 3.5
    #: and so is a download that receives nothing for this long: it resumes on a new connection
    #: at once, instead of waiting out TCP's retransmission back-off after a cut
    stall_seconds: float = 3.0
    #: failures in a row per blob and run (one that stored bytes counts as the first); the next
    #: run tries again
    attempts: int = 6


class Fetcher:
    def __init__(
        self,
        store: BlobStore,
        rules: FetchRules,
        local_now: Callable[[], datetime],
        progress: FetchProgress | None = None,
    ) -> None:
        self._store, self._rules, self._local_now = store, rules, local_now
        self._bucket = TokenBucket.from_kbit(rules.rate_kbit)
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=rules.connect_seconds, sock_read=rules.stall_seconds
        )
        self.progress = progress or FetchProgress()
        self._stop = asyncio.Event()
        self._unreachable: HubUnreachable | None = None

    async def run(self, http: aiohttp.ClientSession, wanted: Sequence[Want]) -> FetchProgress:
        """Fetch every wanted blob not stored yet; `http` has the hub's URL as its base.

        Raises HubUnreachable, after stopping every download, once a blob got no answer
        `attempts` times in a row: the hub is away, and the next round tries them all again."""
        queue = await asyncio.to_thread(self._missing, wanted)
        self.progress.begin([want.size for want in queue])
        self._stop.clear()
        self._unreachable = None
        items = iter(queue)
        workers = min(self._rules.parallel, len(queue))
        await asyncio.gather(*(self._worker(http, items) for _ in range(workers)))
        if self.progress.state == "fetching":
            self.progress.state = "idle"
        self.progress.finished_at = self._local_now().timestamp()
        if self._unreachable is not None:
            raise self._unreachable
        return self.progress

    def _missing(self, wanted: Sequence[Want]) -> list[Want]:
        seen: set[str] = set()
        missing = []
        for want in wanted:
            if want.sha256 not in seen and not self._store.has(want.sha256):
                missing.append(want)
            seen.add(want.sha256)
        return missing

    async def _worker(self, http: aiohttp.ClientSession, items: Iterator[Want]) -> None:
        for want in items:
            if self._stop.is_set():
                return
            download = Download(want.sha256, want.entry_id, want.size)
            self.progress.active[want.sha256] = download
            try:
                await self._fetch_one(http, download)
                self.progress.items_done += 1
                self.progress.bytes_finished += want.size
            except StoreFull as err:
                self._fail_all("stopped (store full)", f"the store is full: {err}")
            except HubUnreachable as err:  # the link is down, not this blob: stop the run
                self.progress.items_failed += 1
                self._unreachable = err
                self._fail_all("stopped (hub unreachable)", f"{want.sha256[:12]}: {err}")
            except (FetchError, BlobStoreError, OSError) as err:
                self.progress.items_failed += 1
                self.progress.last_error = f"{want.sha256[:12]}: {err}"
                _log.warning("content: gave up on blob %s for now: %s", want.sha256, err)
            finally:
                del self.progress.active[want.sha256]

    async def _fetch_one(self, http: aiohttp.ClientSession, download: Download) -> None:
        while True:
            await self._wait_for_window()
            stored = download.done
            try:
                await receive_blob(
                    http, self._store, self._bucket, download, self._is_open, self._timeout
                )
                return
            except OutsideWindow:
                continue
            except (FetchError, BlobStoreError) as err:
                progressed = isinstance(err, HubUnreachable) and download.done > stored
                if progressed:
                    download.attempts = 0  # it stored bytes: failures in a row count from here
                if isinstance(err, StoreFull) or download.attempts >= self._rules.attempts:
                    raise
                self.progress.last_error = f"{download.sha256[:12]}: {err}"
                if not progressed:  # one that did is tried again at once: the link was up
                    await asyncio.sleep(self._backoff(download.attempts))
            finally:
                self.progress.bytes_received += download.received
                download.received = 0

    def _is_open(self) -> bool:
        return self._rules.windows.is_open(self._local_now())

    async def _wait_for_window(self) -> None:
        wait = self._rules.windows.seconds_until_open(self._local_now())
        if wait > 0:
            self.progress.state, self.progress.window_opens_in = "waiting for window", wait
            await asyncio.sleep(wait)
        self.progress.state, self.progress.window_opens_in = "fetching", 0.0

    def _backoff(self, failures: int) -> float:
        ceiling = self._rules.backoff_min_seconds * 2 ** max(failures - 1, 0)
        return random.uniform(0, min(self._rules.backoff_max_seconds, ceiling))

    def _fail_all(self, state: str, error: str) -> None:
        self.progress.state, self.progress.last_error = state, error
        _log.error("content: %s: %s", state, error)
        self._stop.set()
