"""Benchmark of the catalog on the wire and on the box (content issue, "Catalog of 800,000
entries"):

1. A hub holding a generated catalog of N entries (default 800,000; written straight into its
   SQLite log with the chained digest, as `edge-hub content publish` would leave it) runs as
   `edge-hub run` on loopback.
2. A fresh box imports it in a child process: `refresh_catalog` pages (10,000 records each)
   staged, then committed under the signed head. Wall time and the child's peak RSS.
3. An in-sync refresh: bytes on the wire (HTTP headers included).
4. 100 entries changed at the hub, then a refresh: bytes on the wire.

Anchor: plain SQLite inserting the same N rows into a table of the same shape (with its FTS
index) in the same run, and the size of the log as JSON.

Run: `.venv/bin/python bench/catalog_import.py [--entries 800000]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._servers import free_port, process
from content_cache import ZERO_DIGEST, CatalogEntry, CatalogFile, canonical, chain
from sync.hub import HubStore
from sync.hub._content import HubCatalog
from sync.hub._content_key import content_key

BIN = Path(sys.executable).parent
SUBJECTS = ("mathematics", "physics", "biology", "history", "geography", "literature", "art")
KINDS = ("lesson", "textbook", "assignment", "test", "presentation", "video", "scenario")


def generated(n: int, version: int) -> CatalogEntry:
    sha = f"{n:064x}"
    return CatalogEntry(
        id=f"0192f0c4-7a1b-7c3d-9e8f-{n:012d}",
        kind=KINDS[n % len(KINDS)],
        title=f"{SUBJECTS[n % len(SUBJECTS)].title()} for grade {n % 11 + 1}, unit {n // 77}",
        subject=SUBJECTS[n % len(SUBJECTS)],
        grades=(str(n % 11 + 1),),
        language="en",
        files=(
            CatalogFile(f"unit-{n}/index.html", sha, 20_000 + n % 50_000, "text/html"),
            CatalogFile(
                f"unit-{n}/slides.pdf", f"{n + 2**40:064x}", 900_000 + n, "application/pdf"
            ),
        ),
        version=version,
    )


def fill_hub(data_dir: Path, count: int) -> int:
    """N entries straight into the hub's log; returns the log's size as JSON in bytes."""
    store = HubStore(data_dir / "hub.db")
    content_key(store)
    digest, rows, size = ZERO_DIGEST, [], 0
    for n in range(count):
        entry = generated(n, n + 1)
        text = canonical(entry)
        digest = chain(digest, entry)
        rows.append((n + 1, entry.id, text.decode()))
        size += len(text)
    head = {"version": count, "count": count, "digest": digest.hex()}
    with store._transaction() as conn:
        conn.executemany("INSERT INTO catalog_log (version, id, record) VALUES (?, ?, ?)", rows)
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('catalog_head', ?)",
            [json.dumps(head)],
        )
    store.close()
    return size


def change_100(data_dir: Path, count: int) -> None:
    store = HubStore(data_dir / "hub.db")
    catalog = HubCatalog(store, data_dir)
    changed = [
        dataclasses.replace(generated(n, 0), title=f"Revised unit {n}")
        for n in range(0, count, max(1, count // 100))
    ][:100]
    with store._transaction() as conn:  # publish() checks blobs exist; these are generated
        for entry in changed:
            for file in entry.files:
                conn.execute(
                    "INSERT OR IGNORE INTO content_blobs (sha256, size) VALUES (?, ?)",
                    [file.sha256, file.size],
                )
    catalog.publish(changed)
    store.close()


BOX_IMPORT = """
import asyncio, base64, json, sys, time
import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pathlib import Path
from content_cache import CatalogIndex, refresh_catalog

async def main(url, key, db):
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key))
    with CatalogIndex(Path(db)) as index:
        async with aiohttp.ClientSession(url) as http:
            started = time.perf_counter()
            report = await refresh_catalog(http, index, public, lambda: int(time.time()))
            seconds = time.perf_counter() - started
        print(json.dumps({"seconds": seconds, "records": report.records, "pages": report.pages,
                          "body_bytes": report.bytes_received, "count": index.count(),
                          "rss_mb": peak_rss_mb()}))

def peak_rss_mb():
    # VmHWM, not ru_maxrss: that keeps the RSS the parent had when it forked this process
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


asyncio.run(main(*sys.argv[1:]))
"""


def box_refresh(url: str, key: str, db: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", BOX_IMPORT, url, key, str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return dict(json.loads(done.stdout))


def plain_sqlite(count: int, folder: Path) -> float:
    """The anchor: the same rows into a table with an FTS index, one transaction."""
    conn = sqlite3.connect(folder / "plain.db", isolation_level=None)
    conn.execute(
        "CREATE TABLE entries (doc INTEGER PRIMARY KEY, id TEXT UNIQUE, kind TEXT, title TEXT,"
        " subject TEXT, grades TEXT, language TEXT, files TEXT, version INTEGER, deleted INTEGER)"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE entries_fts USING fts5(title, subject, grades, kind,"
        " content='entries', content_rowid='doc')"
    )
    rows = []
    for n in range(count):
        e = generated(n, n + 1)
        files = json.dumps([dataclasses.asdict(f) for f in e.files])
        rows.append((e.id, e.kind, e.title, e.subject, json.dumps(e.grades), e.language, files,
                     e.version, 0))  # fmt: skip
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO entries (id, kind, title, subject, grades, language, files, version, deleted)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute(
        "INSERT INTO entries_fts (rowid, title, subject, grades, kind)"
        " SELECT doc, title, subject, grades, kind FROM entries"
    )
    conn.execute("COMMIT")
    return time.perf_counter() - started


def wire_request(url: str, since: int) -> int:
    """Bytes of one catalog request and its answer on the wire, headers included."""
    out = subprocess.run(
        [
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{size_header} %{size_download} %{size_request}",
            f"{url}/v1/catalog?since={since}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sum(int(part) for part in out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=800_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        hub_dir = folder / "hub"
        started = time.perf_counter()
        log_bytes = fill_hub(hub_dir, args.entries)
        print(f"hub filled with {args.entries:,} entries in {time.perf_counter() - started:.1f} s")
        key = _public_key(hub_dir)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        hub = [str(BIN / "edge-hub"), "--data-dir", str(hub_dir), "run", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
        with process(hub, f"{url}/healthz"):
            first = box_refresh(url, key, folder / "box.db")
            in_sync = wire_request(url, args.entries)
            change_100(hub_dir, args.entries)
            delta = wire_request(url, args.entries)
            again = box_refresh(url, key, folder / "box.db")
        anchor = plain_sqlite(args.entries, folder)
    figures = {
        "entries": args.entries,
        "import_seconds": round(first["seconds"], 1),
        "import_rss_mb": round(first["rss_mb"]),
        "import_pages": first["pages"],
        "import_body_bytes": first["body_bytes"],
        "log_json_bytes": log_bytes,
        "in_sync_wire_bytes": in_sync,
        "delta_100_wire_bytes": delta,
        "delta_100_refresh_seconds": round(again["seconds"], 2),
        "plain_sqlite_insert_seconds": round(anchor, 1),
    }
    print(json.dumps(figures, indent=1))
    print(
        f"first import: {figures['import_seconds']} s (target <= 60), peak RSS"
        f" {figures['import_rss_mb']} MB (<= 300); in-sync {in_sync} B (<= 2 KB);"
        f" 100-entry delta {delta} B (<= 30 KB); plain SQLite insert alone {anchor:.1f} s"
        f" (import / plain = {first['seconds'] / anchor:.1f}x)"
    )


def _public_key(hub_dir: Path) -> str:
    from sync.hub._content_key import public_content_key

    store = HubStore(hub_dir / "hub.db")
    try:
        return public_content_key(content_key(store))
    finally:
        store.close()


if __name__ == "__main__":
    main()
