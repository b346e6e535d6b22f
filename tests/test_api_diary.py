from __future__ import annotations

from typing import Any

from edge.web._keys import DB
from tests._box import TODAY, Box


async def change_log_size(box: Box) -> int:
    row = await box.client.app[DB].read(
        lambda c: c.execute("SELECT count(*) AS n FROM change_log").fetchone()
    )
    return int(row["n"])


async def test_teacher_sees_her_lessons_today_including_substitutions(box: Box) -> None:
    status, body = await box.call("GET", "/timetable/today", "teach")
    assert status == 200 and body["date"] == TODAY.isoformat()
    lessons = [
        (lesson["start"], lesson["class"]["title"], lesson["status"]) for lesson in body["lessons"]
    ]
    assert lessons == [
        ("09:00", "Class 7A", "scheduled"),
        ("11:00", "Class 7B", "scheduled"),
        ("12:00", "Class 7A", "cancelled"),
    ]
    first = body["lessons"][0]
    assert first["room"]["name"] == "Room 12" and first["teacher"]["name"] == "Mia Teach"


async def test_student_sees_her_classes_lessons_and_admin_sees_all(box: Box) -> None:
    _, sam = await box.call("GET", "/timetable/today", "sam")
    assert {lesson["class"]["title"] for lesson in sam["lessons"]} == {"Class 7A"}
    _, admin = await box.call("GET", "/timetable/today", "admin")
    assert len(admin["lessons"]) == 4
    _, device = await box.call("GET", "/timetable/today", "panel")
    assert device["lessons"] == []


async def test_week_runs_monday_to_sunday(box: Box) -> None:
    status, body = await box.call("GET", "/timetable/week?start=2026-11-26", "teach")
    assert status == 200
    assert (body["from"], body["to"]) == ("2026-11-23", "2026-11-29")
    assert [lesson["date"] for lesson in body["lessons"]].count("2026-11-24") == 1
    status, body = await box.call("GET", "/timetable/week?start=26.11.2026", "teach")
    assert status == 400 and body["error"] == "invalid_query"


async def test_attendance_register_and_update(box: Box) -> None:
    lesson, sam = box.school["lesson"], box.school["sam"]
    status, register = await box.call("GET", f"/lessons/{lesson}/attendance", "teach")
    assert status == 200
    assert [(e["student"]["name"], e["status"]) for e in register["register"]] == [
        ("Sam Adams", None),
        ("Sue Brown", None),
    ]
    status, row = await box.call(
        "PUT", f"/lessons/{lesson}/attendance/{sam}", "teach", {"status": "late", "note": "bus"}
    )
    assert status == 200 and row["status"] == "late" and row["recorded_by"] == box.school["teach"]
    status, row = await box.call(
        "PUT", f"/lessons/{lesson}/attendance/{sam}", "teach", {"status": "present"}
    )
    assert status == 200 and row["status"] == "present"
    _, register = await box.call("GET", f"/lessons/{lesson}/attendance", "teach")
    assert register["register"][0]["status"] == "present"
    assert register["register"][0]["recorded_at"]


async def test_attendance_bad_input_changes_nothing(box: Box) -> None:
    lesson, sam, tom = box.school["lesson"], box.school["sam"], box.school["tom"]
    before = await change_log_size(box)
    cases: list[tuple[str, Any, int, str]] = [
        (f"/lessons/{lesson}/attendance/{sam}", {"status": "asleep"}, 400, "invalid_body"),
        (f"/lessons/{lesson}/attendance/{sam}", {"status": 1}, 400, "invalid_body"),
        (f"/lessons/{lesson}/attendance/{tom}", {"status": "present"}, 404, "not_found"),
        (f"/lessons/nope/attendance/{sam}", {"status": "present"}, 404, "not_found"),
        (
            f"/lessons/{box.school['cancelled']}/attendance/{sam}",
            {"status": "present"},
            409,
            "conflict",
        ),
    ]
    for path, body, status, error in cases:
        got_status, got = await box.call("PUT", path, "teach", body)
        assert (got_status, got["error"]) == (status, error), path
    assert await change_log_size(box) == before


async def test_substitute_teacher_may_take_the_register(box: Box) -> None:
    lesson, tom = box.school["substitute"], box.school["tom"]
    status, _ = await box.call(
        "PUT", f"/lessons/{lesson}/attendance/{tom}", "teach", {"status": "absent"}
    )
    assert status == 200


async def test_marks_create_edit_delete(box: Box) -> None:
    body = {
        "student_id": box.school["sam"],
        "class_id": box.school["7a"],
        "value": 4,
        "comment": "good work",
        "lesson_id": box.school["lesson"],
    }
    status, mark = await box.call("POST", "/marks", "teach", body)
    assert status == 201 and mark["value"] == 4 and mark["date"] == TODAY.isoformat()
    status, mark = await box.call("PATCH", f"/marks/{mark['id']}", "teach", {"value": 5})
    assert status == 200 and mark["value"] == 5 and mark["comment"] == "good work"
    _, listed = await box.call("GET", f"/marks?student_id={box.school['sam']}", "sam")
    assert [m["value"] for m in listed["marks"]] == [5]
    status, _ = await box.call("DELETE", f"/marks/{mark['id']}", "teach")
    assert status == 204
    _, listed = await box.call("GET", f"/marks?class_id={box.school['7a']}", "teach")
    assert listed["marks"] == []
    status, _ = await box.call("DELETE", f"/marks/{mark['id']}", "teach")
    assert status == 404


async def test_marks_outside_the_scale_or_class_are_refused(box: Box) -> None:
    before = await change_log_size(box)
    base = {"student_id": box.school["sam"], "class_id": box.school["7a"]}
    for value, status in ((0, 422), (6, 422), ("5", 400), (4.5, 400), (True, 400)):
        got, body = await box.call("POST", "/marks", "teach", {**base, "value": value})
        assert got == status, (value, body)
    got, body = await box.call(
        "POST", "/marks", "teach", {**base, "student_id": box.school["tom"], "value": 3}
    )
    assert got == 404
    got, body = await box.call(
        "POST", "/marks", "teach", {**base, "value": 3, "lesson_id": box.school["lesson_7b"]}
    )
    assert got == 422 and body["detail"] == "the lesson belongs to another class"
    assert await change_log_size(box) == before


async def test_students_see_only_their_own_marks(box: Box) -> None:
    for student in ("sam", "sue"):
        body = {"student_id": box.school[student], "class_id": box.school["7a"], "value": 3}
        assert (await box.call("POST", "/marks", "teach", body))[0] == 201
    _, mine = await box.call("GET", "/marks", "sam")
    assert {m["student_id"] for m in mine["marks"]} == {box.school["sam"]}
    status, _ = await box.call("GET", f"/marks?student_id={box.school['sue']}", "sam")
    assert status == 403


async def test_homework_and_topic(box: Box) -> None:
    lesson = box.school["lesson"]
    status, homework = await box.call(
        "POST",
        "/homework",
        "teach",
        {"lesson_id": lesson, "due_date": "2026-11-25", "text": "p. 12"},
    )
    assert status == 201 and homework["class_id"] == box.school["7a"]
    status, _ = await box.call(
        "POST", "/homework", "teach", {"lesson_id": lesson, "due_date": "2026-11-01", "text": "x"}
    )
    assert status == 422
    status, changed = await box.call(
        "PATCH", f"/homework/{homework['id']}", "teach", {"text": "p. 12-13"}
    )
    assert status == 200 and changed["text"] == "p. 12-13"
    status, _ = await box.call("PUT", f"/lessons/{lesson}/topic", "teach", {"topic": "Fractions"})
    assert status == 200
    status, detail = await box.call("GET", f"/lessons/{lesson}", "sam")
    assert status == 200 and detail["topic"] == "Fractions"
    assert [h["text"] for h in detail["homework"]] == ["p. 12-13"]
    _, listed = await box.call("GET", "/homework", "tom")
    assert listed["homework"] == []
    status, _ = await box.call("GET", f"/lessons/{lesson}", "tom")
    assert status == 403


async def test_student_diary_is_private(box: Box) -> None:
    lesson, sam = box.school["lesson"], box.school["sam"]
    await box.call("PUT", f"/lessons/{lesson}/attendance/{sam}", "teach", {"status": "present"})
    status, diary = await box.call("GET", f"/students/{sam}/diary", "sam")
    assert status == 200 and [a["status"] for a in diary["attendance"]] == ["present"]
    assert (await box.call("GET", f"/students/{sam}/diary", "tom"))[0] == 403
    assert (await box.call("GET", f"/students/{sam}/diary", "other"))[0] == 403
    assert (await box.call("GET", f"/students/{sam}/diary", "teach"))[0] == 200


async def test_classes_and_students(box: Box) -> None:
    _, classes = await box.call("GET", "/classes", "teach")
    assert {c["title"] for c in classes["classes"]} == {"Class 7A", "Class 7B"}  # 7B: substitute
    _, classes = await box.call("GET", "/classes", "other")
    assert [c["title"] for c in classes["classes"]] == ["Class 7B"]
    status, students = await box.call("GET", f"/classes/{box.school['7a']}/students", "teach")
    assert status == 200 and len(students["students"]) == 2
    assert (await box.call("GET", f"/classes/{box.school['7a']}/students", "other"))[0] == 403
    assert (await box.call("GET", f"/classes/{box.school['7a']}/students", "sam"))[0] == 403


async def test_hostile_requests_get_json_errors(box: Box) -> None:
    token = await box.login("teach")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    huge = b'{"topic": "' + b"x" * 2_000_000 + b'"}'
    response = await box.client.put(
        f"/api/v1/lessons/{box.school['lesson']}/topic", data=huge, headers=headers
    )
    assert response.status == 413 and (await response.json())["error"] == "body_too_large"
    for body in (b"\xff\xfe", b"[1,", b'{"topic": "\\ud800"}}'):
        response = await box.client.put(
            f"/api/v1/lessons/{box.school['lesson']}/topic", data=body, headers=headers
        )
        assert response.status == 400, body
    response = await box.client.get("/api/v1/no/such/thing")
    assert response.status == 404 and (await response.json())["error"] == "not_found"
    response = await box.client.delete("/api/v1/timetable/today", headers=headers)
    assert response.status == 405 and (await response.json())["error"] == "method_not_allowed"
