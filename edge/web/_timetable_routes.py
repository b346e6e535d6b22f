"""Timetables, classes and the per-teacher iCalendar feed."""

from __future__ import annotations

import secrets
import sqlite3
from datetime import date, timedelta

from aiohttp import web

from edge.accounts import Role, feed_owner, set_feed_token
from edge.db import Row
from edge.diary import (
    classes_for,
    lesson_detail,
    lessons_between,
    require_class_reader,
    students_of,
)
from edge.school import render_teacher_feed
from edge.web._api import Api, Call, dumps, json_body
from edge.web._errors import ApiError
from edge.web._keys import CLOCK, DB, SETTINGS, TIMETABLES

DATE = {"type": "string", "format": "date"}
STAFF = (Role.ADMIN, Role.TEACHER)
FEED_PAST_DAYS = 28


def today(call: Call) -> date:
    return call.app[CLOCK]().astimezone(call.app[SETTINGS].tz).date()


async def timetable_today(call: Call) -> web.StreamResponse:
    day = today(call)
    return await _timetable(call, day, day, {"date": day.isoformat()})


async def timetable_week(call: Call) -> web.StreamResponse:
    anchor = date.fromisoformat(call.query["start"]) if "start" in call.query else today(call)
    monday = anchor - timedelta(days=anchor.weekday())
    sunday = monday + timedelta(days=6)
    return await _timetable(
        call, monday, sunday, {"from": monday.isoformat(), "to": sunday.isoformat()}
    )


async def _timetable(
    call: Call, first: date, last: date, envelope: dict[str, str]
) -> web.StreamResponse:
    """Served from the cache until lessons, classes, rooms, people or enrollments change."""
    who = call.who

    def read(conn: sqlite3.Connection) -> bytes:
        return dumps({**envelope, "lessons": lessons_between(conn, who, first, last)}).encode()

    key = (who.role, who.person_id, first, last)
    body = await call.app[TIMETABLES].get(key, read)
    return web.Response(body=body, content_type="application/json")


async def lesson(call: Call) -> web.StreamResponse:
    lesson_id = call.param("lesson_id")
    return json_body(await call.app[DB].read(lambda conn: lesson_detail(conn, call.who, lesson_id)))


async def classes(call: Call) -> web.StreamResponse:
    return json_body({"classes": await call.app[DB].read(lambda conn: classes_for(conn, call.who))})


async def class_students(call: Call) -> web.StreamResponse:
    class_id = call.param("class_id")

    def read(conn: sqlite3.Connection) -> list[Row]:
        require_class_reader(conn, call.who, class_id)
        return students_of(conn, class_id)

    return json_body({"class_id": class_id, "students": await call.app[DB].read(read)})


async def new_calendar_feed(call: Call) -> web.StreamResponse:
    """A fresh secret feed address for the caller's calendar app; the old one stops working."""
    token, user_id = secrets.token_urlsafe(24), call.who.user_id
    await call.app[DB].write(lambda tx: set_feed_token(tx, user_id, token))
    url = call.request.url.with_path(f"/api/v1/calendar/{token}.ics").with_query(None)
    return json_body({"url": str(url)}, status=201)


async def calendar_feed(call: Call) -> web.StreamResponse:
    token, settings, day = call.param("token"), call.app[SETTINGS], today(call)
    since = day - timedelta(days=FEED_PAST_DAYS)
    until = day + timedelta(days=settings.timetable.horizon_days)

    def render(conn: sqlite3.Connection) -> str | None:
        person_id = feed_owner(conn, token)
        if person_id is None:
            return None
        return render_teacher_feed(conn, person_id, settings, since=since, until=until)

    text = await call.app[DB].read(render)
    if text is None:
        raise ApiError(404, "not_found", "no calendar feed at this address")
    return web.Response(text=text, content_type="text/calendar", charset="utf-8")


def add_routes(api: Api) -> None:
    api.add(
        "GET",
        "/timetable/today",
        timetable_today,
        tag="timetable",
        summary="The caller's lessons today (teacher: hers; student: her classes'; admin: all)",
    )
    api.add(
        "GET",
        "/timetable/week",
        timetable_week,
        tag="timetable",
        query={"start": DATE},
        summary="The caller's lessons in the week (Monday to Sunday) containing `start`",
    )
    api.add(
        "GET",
        "/lessons/{lesson_id}",
        lesson,
        tag="timetable",
        summary="One lesson with its topic and homework",
    )
    api.add("GET", "/classes", classes, tag="classes", summary="The classes the caller may see")
    api.add(
        "GET",
        "/classes/{class_id}/students",
        class_students,
        tag="classes",
        roles=STAFF,
        summary="The students of a class (its teachers and admins)",
    )
    api.add(
        "POST",
        "/me/calendar-feed",
        new_calendar_feed,
        tag="timetable",
        roles=STAFF,
        summary="Make a new secret iCalendar feed address for the caller's timetable",
        responses={201: "The feed address"},
    )
    api.add(
        "GET",
        "/calendar/{token}.ics",
        calendar_feed,
        tag="timetable",
        roles=None,
        summary="A teacher's timetable as iCalendar (the address is the secret)",
        responses={200: "text/calendar"},
    )
