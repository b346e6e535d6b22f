"""The school diary: timetable views, attendance, marks, homework, lesson topics."""

from edge.diary._access import (
    get_lesson_for_writer,
    require_class_reader,
    require_student_reader,
)
from edge.diary._errors import (
    ConflictError,
    DiaryError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
)
from edge.diary._live import LiveRegisters
from edge.diary._reads import attendance_register, list_homework, list_marks, student_diary
from edge.diary._timetable import (
    classes_for,
    find_room,
    lesson_detail,
    lessons_between,
    students_of,
)
from edge.diary._writes import (
    ATTENDANCE_STATUSES,
    check_mark_value,
    create_homework,
    create_mark,
    delete_homework,
    delete_mark,
    edit_homework,
    edit_mark,
    record_attendance,
    set_topic,
)

__all__ = [
    "ATTENDANCE_STATUSES",
    "ConflictError",
    "DiaryError",
    "ForbiddenError",
    "InvalidError",
    "LiveRegisters",
    "NotFoundError",
    "attendance_register",
    "check_mark_value",
    "classes_for",
    "create_homework",
    "create_mark",
    "delete_homework",
    "delete_mark",
    "edit_homework",
    "edit_mark",
    "find_room",
    "get_lesson_for_writer",
    "lesson_detail",
    "lessons_between",
    "list_homework",
    "list_marks",
    "record_attendance",
    "require_class_reader",
    "require_student_reader",
    "set_topic",
    "student_diary",
    "students_of",
]
