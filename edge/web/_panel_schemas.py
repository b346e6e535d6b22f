"""Request bodies of the panel-agent endpoints (checked, and documented in the OpenAPI file)."""

from __future__ import annotations

_TEXT = {"type": "string", "maxLength": 64}
PAIR_BODY = {
    "type": "object",
    "required": ["agent_id", "name"],
    "additionalProperties": False,
    "properties": {"agent_id": _TEXT, "name": {**_TEXT, "minLength": 1}, "room_hint": _TEXT},
}
STATUS_BODY = {
    "type": "object",
    "required": ["agent_id", "claim"],
    "additionalProperties": False,
    "properties": {"agent_id": _TEXT, "claim": {"type": "string", "maxLength": 128}},
}
CONFIRM_BODY = {
    "type": "object",
    "required": ["pin", "room"],
    "additionalProperties": False,
    "properties": {
        "pin": {"type": "string", "minLength": 6, "maxLength": 6},
        "room": {"type": "string", "minLength": 1, "maxLength": 128},
    },
}
SHOW_BODY = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "url": {"type": "string", "minLength": 1, "maxLength": 2048},
        "entry_id": {"type": "string", "minLength": 1, "maxLength": 256},
        "path": {"type": "string", "maxLength": 1024},
    },
}
