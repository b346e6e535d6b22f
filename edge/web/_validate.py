"""A small JSON Schema subset, so one schema both checks request bodies and documents them in
the OpenAPI file: type, properties, required, additionalProperties, enum, min/max, lengths,
format date."""

from __future__ import annotations

from datetime import date
from typing import Any

Schema = dict[str, Any]

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


class ValidationError(ValueError):
    def __init__(self, where: str, why: str) -> None:
        self.where = where
        super().__init__(f"{where}: {why}" if where else why)


def validate(value: Any, schema: Schema, where: str = "") -> None:
    _check_type(value, schema, where)
    if "enum" in schema and value not in schema["enum"]:
        raise ValidationError(where, f"must be one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, dict):
        _check_object(value, schema, where)
    elif isinstance(value, str):
        _check_string(value, schema, where)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(value, schema, where)
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            validate(item, schema["items"], f"{where}[{index}]")


def _check_type(value: Any, schema: Schema, where: str) -> None:
    expected = schema.get("type")
    if expected is None:
        return
    names = expected if isinstance(expected, list) else [expected]
    for name in names:
        is_bool = isinstance(value, bool)
        if isinstance(value, _TYPES[name]) and (name == "boolean" or not is_bool):
            return
    raise ValidationError(where, f"must be {' or '.join(names)}")


def _check_object(value: dict[str, Any], schema: Schema, where: str) -> None:
    properties: dict[str, Schema] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            raise ValidationError(_join(where, name), "is required")
    for name, item in value.items():
        if name in properties:
            validate(item, properties[name], _join(where, name))
        elif schema.get("additionalProperties") is False:
            raise ValidationError(_join(where, name), "is not a known field")
    if "minProperties" in schema and len(value) < schema["minProperties"]:
        raise ValidationError(where, f"needs at least {schema['minProperties']} field(s)")


def _check_string(value: str, schema: Schema, where: str) -> None:
    if len(value) < schema.get("minLength", 0):
        raise ValidationError(where, f"needs at least {schema['minLength']} character(s)")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise ValidationError(where, f"is longer than {schema['maxLength']} characters")
    if schema.get("format") == "date":
        try:
            date.fromisoformat(value)
        except ValueError as err:
            raise ValidationError(where, "must be a date like 2026-09-01") from err


def _check_number(value: float, schema: Schema, where: str) -> None:
    if "minimum" in schema and value < schema["minimum"]:
        raise ValidationError(where, f"must be at least {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        raise ValidationError(where, f"must be at most {schema['maximum']}")


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
