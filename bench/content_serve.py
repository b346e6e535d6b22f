"""Benchmark of lesson content on the LAN: `GET /content/{sha256}` (content issue).

1. Small assets: 200 blobs of 2–64 KB, requested round-robin by wrk (-t2) at 50 and at 1,000
   connections, 10 s a run, 3 rounds: median req/s, p99 latency and errors (non-2xx + socket
   errors) for the box, a bare aiohttp `add_static` app and nginx (`worker_processes 1`,
   `sendfile on`), each serving the same files on loopback, one server at a time.
2. A large file: 5 sequential full GETs of one 100 MB blob with curl, box vs nginx, median MB/s.

Run: `.venv/bin/python bench/content_serve.py` (needs wrk, nginx and curl:
apt-get install wrk nginx curl).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench._servers import edge_demo, free_port, next_weekday, process
from bench._wrk import _find, _latency
from content_cache import (
    ZERO_DIGEST,
    BlobStore,
    CatalogEntry,
    CatalogFile,
    CatalogHead,
    CatalogIndex,
    chain,
    sign_head,
)

SMALL_COUNT = 200
SMALL_MIN, SMALL_MAX = 2 * 1024, 64 * 1024
LARGE_BYTES = 100 * 1024 * 1024
MB = 1024 * 1024

STATIC_APP = """
import sys
from aiohttp import web
app = web.Application()
app.router.add_static("/s/", sys.argv[2])
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None,
            backlog=1024)
"""

NGINX_CONF = """worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        root {root};
    }}
}}
"""


@dataclass(frozen=True)
class Files:
    small: list[str]
    large: str
    www: Path  # www/s/<sha256>: what add_static and nginx serve


@dataclass(frozen=True)
class Run:
    requests_per_second: float
    p99_ms: float
    errors: int


def make_files(folder: Path, seed: int) -> Files:
    """200 small files and one of 100 MB of random bytes, named by their SHA-256."""
    rng = random.Random(seed)
    www = folder / "www" / "s"
    www.mkdir(parents=True)
    small = []
    for _ in range(SMALL_COUNT):
        data = rng.randbytes(rng.randint(SMALL_MIN, SMALL_MAX))
        small.append(_write(www, data))
    large = _write(www, rng.randbytes(LARGE_BYTES))
    for path in (folder, folder / "www", www):
        path.chmod(0o755)  # nginx's worker may run as nobody
    return Files(small, large, folder / "www")


def _write(folder: Path, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    path = folder / sha
    path.write_bytes(data)
    path.chmod(0o644)
    return sha


def fill_box(data_dir: Path, files: Files) -> None:
    """The blobs in the box's store, and in its catalog as a hub would have published them
    (the box serves what its catalog lists: that is what it knows the types of)."""
    store = BlobStore(data_dir / "content", quota_bytes=4096 * MB, reserve_free_bytes=0)
    try:
        for sha in [*files.small, files.large]:
            store.put_file(files.www / "s" / sha, sha)
    finally:
        store.close()
    records = [
        CatalogEntry(
            f"asset-{n}",
            "presentation",
            f"Asset {n}",
            "art",
            ("7",),
            "en",
            (CatalogFile(f"{sha}.png", sha, (files.www / "s" / sha).stat().st_size, "image/png"),),
            n + 1,
        )
        for n, sha in enumerate([*files.small, files.large])
    ]
    digest = ZERO_DIGEST
    for record in records:
        digest = chain(digest, record)
    head = CatalogHead(len(records), len(records), digest.hex(), int(time.time()) + 86_400)
    key = Ed25519PrivateKey.generate()
    with CatalogIndex(data_dir / "content" / "catalog.db") as index:
        index.apply(sign_head(head, key), records, key.public_key(), int(time.time()))


def wrk_script(path: Path, urls: list[str]) -> Path:
    table = ",\n".join(f'  "{url}"' for url in urls)
    path.write_text(
        f"""local paths = {{
{table}
}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
""",
        encoding="utf-8",
    )
    return path


def run_wrk(base: str, script: Path, connections: int, seconds: int) -> Run:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script)]
    out = subprocess.run([*args, base], capture_output=True, text=True, check=True).stdout
    errors = 0
    socket = _search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket is not None:
        errors += sum(int(n) for n in socket)
    non_2xx = _search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx is not None:
        errors += int(non_2xx[0])
    return Run(
        requests_per_second=float(_find(r"Requests/sec:\s+([\d.]+)", out)),
        p99_ms=_latency(out, "99%"),
        errors=errors,
    )


def _search(pattern: str, text: str) -> tuple[str, ...] | None:
    found = re.search(pattern, text)
    return None if found is None else found.groups()


def small_assets(
    base: str, prefix: str, files: Files, folder: Path, args: argparse.Namespace
) -> dict[str, Any]:
    script = wrk_script(
        folder / f"paths-{prefix.strip('/')}.lua", [prefix + s for s in files.small]
    )
    results: dict[str, Any] = {}
    for connections in args.connections:
        runs = [run_wrk(base, script, connections, args.seconds) for _ in range(args.rounds)]
        results[str(connections)] = {
            "rps": [round(r.requests_per_second) for r in runs],
            "p99_ms": [r.p99_ms for r in runs],
            "errors": [r.errors for r in runs],
            "rps_median": round(statistics.median(r.requests_per_second for r in runs)),
            "p99_ms_median": statistics.median(r.p99_ms for r in runs),
            "errors_total": sum(r.errors for r in runs),
        }
    return results


def large_file(url: str, runs: int) -> dict[str, Any]:
    """Sequential full GETs with curl: MB/s of each (MB = 2**20 bytes)."""
    speeds = []
    for _ in range(runs):
        out = subprocess.run(
            ["curl", "-sS", "-f", "-o", "/dev/null", "-w", "%{size_download} %{time_total}", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        size, seconds = int(out[0]), float(out[1])
        if size != LARGE_BYTES:
            raise RuntimeError(f"{url} sent {size} bytes, not {LARGE_BYTES}")
        speeds.append(size / MB / seconds)
    return {"mb_per_s": [round(s) for s in speeds], "mb_per_s_median": statistics.median(speeds)}


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("nan")


def run(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    files = make_files(folder / "files", args.seed)
    data_dir = folder / "box"
    fill_box(data_dir, files)
    results: dict[str, Any] = {
        "small_files": SMALL_COUNT,
        "small_bytes_total": sum((files.www / "s" / s).stat().st_size for s in files.small),
        "large_bytes": LARGE_BYTES,
        "seconds": args.seconds,
        "rounds": args.rounds,
    }
    first = files.small[0]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    today = next_weekday(date.today()).isoformat()
    demo = [*edge_demo(data_dir, port, today), "--no-hub", "--no-readers"]
    with process(demo, f"{base}/content/{first}"):
        print("box: small assets", file=sys.stderr, flush=True)
        box_small = small_assets(base, "/content/", files, folder, args)
        print("box: large file", file=sys.stderr, flush=True)
        box_large = large_file(f"{base}/content/{files.large}", args.large_runs)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    static = [sys.executable, "-c", STATIC_APP, str(port), str(files.www / "s")]
    with process(static, f"{base}/s/{first}"):
        print("aiohttp add_static: small assets", file=sys.stderr, flush=True)
        static_small = small_assets(base, "/s/", files, folder, args)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with nginx_process(folder, port, files.www, f"{base}/s/{first}"):
        print("nginx: small assets", file=sys.stderr, flush=True)
        nginx_small = small_assets(base, "/s/", files, folder, args)
        print("nginx: large file", file=sys.stderr, flush=True)
        nginx_large = large_file(f"{base}/s/{files.large}", args.large_runs)

    ratios: dict[str, Any] = {}
    for key in box_small:
        box_rps = box_small[key]["rps_median"]
        ratios[key] = {
            "box_over_add_static": ratio(box_rps, static_small[key]["rps_median"]),
            "box_over_nginx": ratio(box_rps, nginx_small[key]["rps_median"]),
        }
    results["small"] = {
        "box": box_small,
        "aiohttp_add_static": static_small,
        "nginx": nginx_small,
        "ratios": ratios,
    }
    results["large"] = {
        "box": box_large,
        "nginx": nginx_large,
        "box_over_nginx": ratio(box_large["mb_per_s_median"], nginx_large["mb_per_s_median"]),
    }
    return results


@contextmanager
def nginx_process(folder: Path, port: int, root: Path, ready_url: str) -> Iterator[None]:
    prefix = folder / "nginx"
    prefix.mkdir()
    prefix.chmod(0o755)
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, port=port, root=root), encoding="utf-8")
    args = ["nginx", "-e", "stderr", "-p", str(prefix), "-c", str(conf)]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejected its configuration:\n{check.stderr}")
    with process(args, ready_url):
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[50, 1000])
    parser.add_argument("--large-runs", type=int, default=5, help="sequential 100 MB GETs")
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    missing = [tool for tool in ("wrk", "nginx", "curl") if shutil.which(tool) is None]
    if missing:
        sys.exit(
            f"bench/content_serve.py needs {', '.join(missing)}: "
            f"apt-get install {' '.join(missing)}"
        )
    raise_fd_limit()
    os.umask(0o022)
    with tempfile.TemporaryDirectory(prefix="edge-bench-content-") as folder:
        Path(folder).chmod(0o755)
        results = run(Path(folder), args)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
