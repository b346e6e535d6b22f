"""Hostile bodies, query strings and path parameters never get a 500."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge.web._api import API
from tests._box import Box

JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "status",
    "note",
    "topic",
    "student_id",
    "class_id",
    "lesson_id",
    "value",
    "comment",
    "date",
    "due_date",
    "text",
    "username",
    "password",
]
# bodies shaped like the endpoints' own: known field names with values of any type
SHAPED = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _paths(box: Box, template: str, noise: str) -> list[str]:
    real = {
        "lesson_id": box.school["lesson"],
        "student_id": box.school["sam"],
        "class_id": box.school["7a"],
        "mark_id": "m",
        "homework_id": "h",
        "token": "t",
    }
    filled, hostile = template, template
    for name, value in real.items():
        filled = filled.replace(f"{{{name}}}", value)
        hostile = hostile.replace(f"{{{name}}}", noise)
    return [filled, hostile]


@FUZZ
@given(body=JSON | SHAPED, noise=st.text(min_size=1, max_size=30))
async def test_write_endpoints_never_fail_with_500(box: Box, body: Any, noise: str) -> None:
    noise = noise.replace("/", "_").replace("?", "_").replace("#", "_")
    for endpoint in box.client.app[API].endpoints:
        if endpoint.method == "GET":
            continue
        for path in _paths(box, endpoint.path, noise):
            status, answer = await box.call(endpoint.method, path, "teach", body)
            assert status < 500, (endpoint.method, path, body, answer)


@FUZZ
@given(raw=st.binary(max_size=200))
async def test_raw_bytes_as_a_body_get_a_json_400(box: Box, raw: bytes) -> None:
    token = await box.login("teach")
    response = await box.client.post(
        "/api/v1/marks", data=raw, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status in {400, 403, 404, 422}, await response.text()
    assert "error" in json.loads(await response.text())


@FUZZ
@given(value=st.text(max_size=40))
async def test_query_parameters_are_checked(box: Box, value: str) -> None:
    for path in ("/timetable/week", "/marks", "/homework", f"/students/{box.school['sam']}/diary"):
        for name in ("start", "class_id", "student_id", "from", "to"):
            status, _ = await box.call("GET", path, "admin", params={name: value})
            assert status < 500, (path, name, value)
