"""Prometheus text exposition: request counts and latency per route, storage and session gauges."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence

from aiohttp import web
from aiohttp.typedefs import Handler

from edge.metrics import Histogram


class Metrics:
    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self._latency: defaultdict[str, Histogram] = defaultdict(Histogram)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests[(method, route, status)] += 1
        self._latency[route].observe(seconds)

    def render(self, gauges: dict[str, tuple[str, float]], extra: Sequence[str] = ()) -> str:
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
        for route, histogram in sorted(self._latency.items()):
            lines += histogram.lines("edge_http_request_seconds", f'route="{_escape(route)}"')
        for name, (help_text, value) in sorted(gauges.items()):
            kind = "counter" if name.endswith("_total") else "gauge"
            lines += [
                f"# HELP {name} {help_text}",
                f"# TYPE {name} {kind}",
                f"{name} {_number(value)}",
            ]
        return "\n".join([*lines, *extra]) + "\n"


METRICS = web.AppKey("metrics", Metrics)


def _number(value: float) -> str:
    """Exact: counters pass a million (`:g` would print 1.23457e+06)."""
    return str(value) if isinstance(value, int) else repr(float(value))


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
