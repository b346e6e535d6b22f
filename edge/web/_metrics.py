"""Prometheus text exposition: request counts and latency per route, storage and session gauges."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter, defaultdict

from aiohttp import web
from aiohttp.typedefs import Handler

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self._latency: defaultdict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self._latency_sum: defaultdict[str, float] = defaultdict(float)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests[(method, route, status)] += 1
        self._latency[route][bisect_left(BUCKETS, seconds)] += 1
        self._latency_sum[route] += seconds

    def render(self, gauges: dict[str, tuple[str, float]]) -> str:
        lines = [
            "# HELP edge_http_requests_total HTTP requests by method, route and status.",
            "# TYPE edge_http_requests_total counter",
        ]
        for (method, route, status), count in sorted(self.requests.items()):
            labels = f'method="{method}",route="{_escape(route)}",status="{status}"'
            lines.append(f"edge_http_requests_total{{{labels}}} {count}")
        lines += [
            "# HELP edge_http_request_seconds Time to answer a request.",
            "# TYPE edge_http_request_seconds histogram",
        ]
        for route, counts in sorted(self._latency.items()):
            lines += self._histogram(route, counts)
        for name, (help_text, value) in sorted(gauges.items()):
            kind = "counter" if name.endswith("_total") else "gauge"
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name} {value:g}"]
        return "\n".join(lines) + "\n"

    def _histogram(self, route: str, counts: list[int]) -> list[str]:
        label = f'route="{_escape(route)}"'
        lines, running = [], 0
        for bound, count in zip((*BUCKETS, float("inf")), counts, strict=True):
            running += count
            le = "+Inf" if bound == float("inf") else f"{bound:g}"
            lines.append(f'edge_http_request_seconds_bucket{{{label},le="{le}"}} {running}')
        lines.append(f"edge_http_request_seconds_sum{{{label}}} {self._latency_sum[route]:.6f}")
        lines.append(f"edge_http_request_seconds_count{{{label}}} {running}")
        return lines


METRICS = web.AppKey("metrics", Metrics)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    response = await handler(request)
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    request.app[METRICS].observe(
        request.method, route, response.status, time.perf_counter() - started
    )
    return response
