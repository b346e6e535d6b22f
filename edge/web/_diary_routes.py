"""The diary: attendance registers, lesson topics, marks, homework, a student's own diary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from aiohttp import web

from edge.accounts import Role
from edge.db import Tx
from edge.diary import (
    ATTENDANCE_STATUSES,
    attendance_register,
    check_mark_value,
    create_homework,
    create_mark,
    delete_homework,
    delete_mark,
    edit_homework,
    edit_mark,
    list_homework,
    list_marks,
    record_attendance,
    set_topic,
    student_diary,
)
from edge.web._api import Api, Call, json_body
from edge.web._keys import DB, LIVE, SETTINGS
from edge.web._timetable_routes import DATE, STAFF, today

T = TypeVar("T")
ID = {"type": "string", "minLength": 1, "maxLength": 64}
TEXT = {"type": "string", "maxLength": 4000}
DIARY_DAYS = 31

ATTENDANCE_BODY = {
    "type": "object",
    "required": ["status"],
    "additionalProperties": False,
    "properties": {"status": {"type": "string", "enum": list(ATTENDANCE_STATUSES)}, "note": TEXT},
}
TOPIC_BODY = {
    "type": "object",
    "required": ["topic"],
    "additionalProperties": False,
    "properties": {"topic": {"type": "string", "minLength": 1, "maxLength": 500}},
}
MARK_FIELDS = {"value": {"type": "integer"}, "comment": TEXT, "date": DATE}
MARK_BODY = {
    "type": "object",
    "required": ["student_id", "class_id", "value"],
    "additionalProperties": False,
    "properties": {"student_id": ID, "class_id": ID, "lesson_id": ID, **MARK_FIELDS},
}
MARK_PATCH = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": MARK_FIELDS,
}
HOMEWORK_FIELDS = {"due_date": DATE, "text": {"type": "string", "minLength": 1, "maxLength": 4000}}
HOMEWORK_BODY = {
    "type": "object",
    "required": ["lesson_id", "due_date", "text"],
    "additionalProperties": False,
    "properties": {"lesson_id": ID, **HOMEWORK_FIELDS},
}
HOMEWORK_PATCH = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": HOMEWORK_FIELDS,
}


async def register(call: Call) -> web.StreamResponse:
    lesson_id = call.param("lesson_id")
    view = await call.app[DB].read(lambda conn: attendance_register(conn, call.who, lesson_id))
    return json_body(view)


async def mark_attendance(call: Call) -> web.StreamResponse:
    lesson_id, student_id = call.param("lesson_id"), call.param("student_id")
    status, note = call.body["status"], call.body.get("note", "")
    row = await _write(
        call, lambda tx: record_attendance(tx, call.who, lesson_id, student_id, status, note)
    )
    call.app[LIVE].publish(
        lesson_id,
        {
            "student_id": student_id,
            "status": row["status"],
            "source": "manual",
            "at": row["recorded_at"],
        },
    )
    return json_body(row)


async def put_topic(call: Call) -> web.StreamResponse:
    lesson_id, topic = call.param("lesson_id"), call.body["topic"]
    return json_body(await _write(call, lambda tx: set_topic(tx, call.who, lesson_id, topic)))


async def marks(call: Call) -> web.StreamResponse:
    class_id, student_id = call.query.get("class_id"), call.query.get("student_id")
    rows = await call.app[DB].read(lambda conn: list_marks(conn, call.who, class_id, student_id))
    return json_body({"marks": rows})


async def new_mark(call: Call) -> web.StreamResponse:
    _check_scale(call, call.body.get("value"))
    day = today(call)
    return json_body(await _write(call, lambda tx: create_mark(tx, call.who, call.body, day)), 201)


async def change_mark(call: Call) -> web.StreamResponse:
    _check_scale(call, call.body.get("value"))
    mark_id = call.param("mark_id")
    return json_body(await _write(call, lambda tx: edit_mark(tx, call.who, mark_id, call.body)))


async def remove_mark(call: Call) -> web.StreamResponse:
    mark_id = call.param("mark_id")
    await _write(call, lambda tx: delete_mark(tx, call.who, mark_id))
    return web.Response(status=204)


async def homework(call: Call) -> web.StreamResponse:
    class_id = call.query.get("class_id")
    rows = await call.app[DB].read(lambda conn: list_homework(conn, call.who, class_id))
    return json_body({"homework": rows})


async def new_homework(call: Call) -> web.StreamResponse:
    lesson_id, text = call.body["lesson_id"], call.body["text"]
    due = date.fromisoformat(call.body["due_date"])
    row = await _write(call, lambda tx: create_homework(tx, call.who, lesson_id, due, text))
    return json_body(row, 201)


async def change_homework(call: Call) -> web.StreamResponse:
    homework_id = call.param("homework_id")
    row = await _write(call, lambda tx: edit_homework(tx, call.who, homework_id, call.body))
    return json_body(row)


async def remove_homework(call: Call) -> web.StreamResponse:
    homework_id = call.param("homework_id")
    await _write(call, lambda tx: delete_homework(tx, call.who, homework_id))
    return web.Response(status=204)


async def diary(call: Call) -> web.StreamResponse:
    student_id = call.param("student_id")
    last = date.fromisoformat(call.query["to"]) if "to" in call.query else today(call)
    first = (
        date.fromisoformat(call.query["from"])
        if "from" in call.query
        else last - timedelta(days=DIARY_DAYS)
    )
    view = await call.app[DB].read(
        lambda conn: student_diary(conn, call.who, student_id, first, last)
    )
    return json_body(view)


def _check_scale(call: Call, value: int | None) -> None:
    if value is not None:
        scale = call.app[SETTINGS].diary
        check_mark_value(value, scale.mark_min, scale.mark_max)


async def _write(call: Call, fn: Callable[[Tx], T]) -> T:
    return await call.app[DB].write(fn, actor=call.who.username)


def add_routes(api: Api) -> None:
    lessons = "/lessons/{lesson_id}"
    api.add(
        "GET",
        f"{lessons}/attendance",
        register,
        tag="attendance",
        roles=STAFF,
        summary="The attendance register of a lesson: every student and her status",
    )
    api.add(
        "PUT",
        f"{lessons}/attendance/{{student_id}}",
        mark_attendance,
        tag="attendance",
        roles=STAFF,
        body=ATTENDANCE_BODY,
        summary="Set one student's attendance (present, absent, late, excused)",
        responses={200: "Recorded", 409: "The lesson is cancelled"},
    )
    api.add(
        "PUT",
        f"{lessons}/topic",
        put_topic,
        tag="lessons",
        roles=STAFF,
        body=TOPIC_BODY,
        summary="Set the topic of a lesson",
    )
    api.add(
        "GET",
        "/marks",
        marks,
        tag="marks",
        query={"class_id": ID, "student_id": ID},
        summary="Marks of a class or a student (students: only their own)",
    )
    api.add(
        "POST",
        "/marks",
        new_mark,
        tag="marks",
        roles=STAFF,
        body=MARK_BODY,
        summary="Give a mark",
        responses={201: "Created", 422: "Outside the scale"},
    )
    api.add(
        "PATCH",
        "/marks/{mark_id}",
        change_mark,
        tag="marks",
        roles=STAFF,
        body=MARK_PATCH,
        summary="Change a mark's value, comment or date",
    )
    api.add(
        "DELETE",
        "/marks/{mark_id}",
        remove_mark,
        tag="marks",
        roles=STAFF,
        summary="Delete a mark",
        responses={204: "Deleted"},
    )
    api.add(
        "GET",
        "/homework",
        homework,
        tag="homework",
        query={"class_id": ID},
        summary="Homework of the caller's classes",
    )
    api.add(
        "POST",
        "/homework",
        new_homework,
        tag="homework",
        roles=STAFF,
        body=HOMEWORK_BODY,
        summary="Set homework in a lesson",
        responses={201: "Created"},
    )
    api.add(
        "PATCH",
        "/homework/{homework_id}",
        change_homework,
        tag="homework",
        roles=STAFF,
        body=HOMEWORK_PATCH,
        summary="Change homework's due date or text",
    )
    api.add(
        "DELETE",
        "/homework/{homework_id}",
        remove_homework,
        tag="homework",
        roles=STAFF,
        summary="Delete homework",
        responses={204: "Deleted"},
    )
    api.add(
        "GET",
        "/students/{student_id}/diary",
        diary,
        tag="diary",
        roles=(Role.ADMIN, Role.TEACHER, Role.STUDENT),
        query={"from": DATE, "to": DATE},
        summary="A student's attendance, marks and homework (students: only their own)",
    )
