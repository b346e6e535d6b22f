"""Running wrk and reading its report."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class WrkResult:
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def run_wrk(
    url: str, token: str, connections: int, seconds: int, script: Path | None = None
) -> WrkResult:
    args = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
    ]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    return WrkResult(
        requests=int(_find(r"(\d+) requests in", out)),
        requests_per_second=float(_find(r"Requests/sec:\s+([\d.]+)", out)),
        p50_ms=_latency(out, "50%"),
        p99_ms=_latency(out, "99%"),
    )


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"no {pattern!r} in wrk's report:\n{text}")
    return found.group(1)


def _latency(text: str, percentile: str) -> float:
    found = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no {percentile} latency in wrk's report:\n{text}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def mark_script(path: Path, pairs: list[tuple[str, str]]) -> Path:
    """A wrk script that POSTs a mark for a random student of a random class each request."""
    table = ",\n".join(f'  {{"{c}", "{s}"}}' for c, s in pairs)
    path.write_text(
        f"""local pairs = {{
{table}
}}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local p = pairs[math.random(#pairs)]
  local body = string.format(
    '{{"class_id":"%s","student_id":"%s","value":%d,"comment":"bench"}}',
    p[1], p[2], math.random(1, 5))
  return wrk.format(nil, "/api/v1/marks", nil, body)
end
""",
        encoding="utf-8",
    )
    return path
