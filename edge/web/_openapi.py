"""The OpenAPI 3 document, built from the same endpoint table that builds the routes."""

from __future__ import annotations

from typing import Any

from edge.web._api import PREFIX, Endpoint, path_parameters

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "detail": {}},
}


def openapi_document(endpoints: list[Endpoint], version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(PREFIX + endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Classroom Edge box API",
            "version": version,
            "description": "The school diary on the box: timetable, attendance, marks, homework.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "edge_session"},
            },
            "schemas": {"Error": _ERROR},
        },
    }


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in path_parameters(endpoint.path)
    ] + [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in endpoint.query.items()
    ]
    responses: dict[str, Any] = {
        str(status): {"description": text} for status, text in endpoint.responses.items()
    }
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for status, text in _error_statuses(endpoint).items():
        responses[str(status)] = {"description": text, **error}
    operation: dict[str, Any] = {
        "operationId": endpoint.handler.__name__,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if endpoint.roles is not None:
        operation["security"] = [{"bearer": []}, {"cookie": []}]
        operation["x-roles"] = sorted(role.value for role in endpoint.roles)
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": endpoint.body}},
        }
    return operation


def _error_statuses(endpoint: Endpoint) -> dict[int, str]:
    statuses = {400: "Bad input"} if endpoint.body or endpoint.query else {}
    if endpoint.roles is not None:
        statuses |= {401: "Not logged in", 403: "Not allowed"}
    if path_parameters(endpoint.path):
        statuses[404] = "Not found"
    return statuses
