from __future__ import annotations

from typing import Any

from edge import __version__
from edge.web._api import API
from tests._box import Box

BODILESS = {
    "/api/v1/logout",
    "/api/v1/sync/now",
    "/api/v1/content/fetch",
    "/api/v1/lessons/{lesson_id}/materials/{entry_id}",
    "/api/v1/content/pins/{entry_id}",
    *(f"/api/v1/rooms/{{room_id}}/panel/{c}" for c in ("next", "previous", "blank", "unblank")),
}


def _routes(box: Box) -> set[tuple[str, str]]:
    found = set()
    for route in box.client.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith("/api/v1/") and route.method != "HEAD" and not path.endswith(".json"):
            found.add((route.method.lower(), path))
    return found


async def test_openapi_document_equals_the_routes(box: Box) -> None:
    response = await box.client.get("/api/v1/openapi.json")
    document: dict[str, Any] = await response.json()
    assert document["openapi"].startswith("3.") and document["info"]["version"] == __version__
    documented = {(m, path) for path, ops in document["paths"].items() for m in ops}
    assert documented == _routes(box)
    assert len(documented) == len(box.client.app[API].endpoints)


async def test_openapi_operations_are_complete(box: Box) -> None:
    document = await (await box.client.get("/api/v1/openapi.json")).json()
    operation_ids = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            operation_ids.append(operation["operationId"])
            assert operation["summary"], (method, path)
            names = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert names == {part[1:-1] for part in path.split("/") if part.startswith("{")} or (
                path.endswith(".ics")
            )
            if method in {"post", "put", "patch"} and path not in BODILESS:
                assert "requestBody" in operation or path.endswith("calendar-feed"), path
    assert len(operation_ids) == len(set(operation_ids)), "operationIds are unique"


async def test_health_ready_metrics_and_status_page(box: Box) -> None:
    assert (await box.client.get("/healthz")).status == 200
    ready = await box.client.get("/readyz")
    body = await ready.json()
    assert ready.status == 200 and body["ready"] is True and body["checks"]["database"]["ok"]
    await box.call("GET", "/timetable/today", "teach")
    metrics = await (await box.client.get("/metrics")).text()
    assert (
        'edge_http_requests_total{method="GET",route="/api/v1/timetable/today",status="200"} 1'
        in metrics
    )
    assert "edge_http_request_seconds_bucket" in metrics and "edge_db_commits_total" in metrics
    assert "edge_sessions_active 1" in metrics
    page = await box.client.get("/")
    text = await page.text()
    assert page.status == 200 and "/api/v1/openapi.json" in text and __version__ in text


async def test_calendar_feed_for_a_teacher(box: Box) -> None:
    status, feed = await box.call("POST", "/me/calendar-feed", "teach")
    assert status == 201 and feed["url"].endswith(".ics")
    path = feed["url"].split("/api/v1", 1)[1]
    status, text = await box.call("GET", path)
    assert status == 200 and text.startswith("BEGIN:VCALENDAR\r\n")
    assert (
        text.count("BEGIN:VEVENT") == 4
    )  # today 09:00 and 11:00 (substitute), cancelled, tomorrow
    assert text.count("STATUS:CANCELLED") == 1
    status, _ = await box.call("POST", "/me/calendar-feed", "teach")
    status, _ = await box.call("GET", path)
    assert status == 404, "a new feed address retires the old one"
